-- wrk script of the benchmark (bench/load.py writes its inputs, bench/run.py reads its output).
--
-- Requests come from a work file, one a line: method, path, headers (each "Name: value",
-- separated by \31) and body, separated by tabs. BENCH_MODE=cycle sends them round and round
-- (reads); BENCH_MODE=once sends each exactly once (a claim id to approve, a demand to claim)
-- and stops the thread when none is left, so no two connections ever touch the same row.
-- Every answer's status is compared with BENCH_EXPECTED; done() writes the counts, the
-- latency percentiles and samples of unexpected answers to BENCH_OUT.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   mode = os.getenv("BENCH_MODE") or "cycle"
   expected = tonumber(os.getenv("BENCH_EXPECTED") or "200")
   items = {}
   for line in io.lines(os.getenv("BENCH_WORK")) do
      local method, path, header_text, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      for header in header_text:gmatch("[^\31]+") do
         local name, value = header:match("^([^:]+):%s*(.*)$")
         headers[name] = value
      end
      if body == "" then body = nil end
      items[#items + 1] = wrk.format(method, path, headers, body)
   end
   sent, ok, bad, exhausted, samples = 0, 0, 0, 0, ""
end

function request()
   sent = sent + 1
   if sent > #items then
      if mode == "once" then
         exhausted = 1
         wrk.thread:stop()
         return wrk.format("GET", "/api/v1/stats/")  -- may still go out: harmless, not counted
      end
      sent = 1
   end
   return items[sent]
end

function response(status, headers, body)
   if exhausted == 1 then return end
   if status == expected then
      ok = ok + 1
   else
      bad = bad + 1
      if #samples < 600 then
         samples = samples .. status .. " " .. (body or ""):sub(1, 120):gsub("[\r\n\t]", " ") .. "\n"
      end
   end
end

function done(summary, latency, requests)
   local ok, bad, exhausted, samples = 0, 0, 0, ""
   for _, thread in ipairs(threads) do
      ok = ok + thread:get("ok")
      bad = bad + thread:get("bad")
      exhausted = exhausted + thread:get("exhausted")
      samples = samples .. thread:get("samples")
   end
   local e = summary.errors
   local out = io.open(os.getenv("BENCH_OUT"), "w")
   out:write("ok ", ok, "\n", "bad ", bad, "\n", "exhausted ", exhausted, "\n")
   out:write("duration_us ", summary.duration, "\n", "requests ", summary.requests, "\n")
   out:write("socket_errors ", e.connect + e.read + e.write + e.timeout, "\n")
   for _, p in ipairs({50, 95, 99}) do
      out:write("p", p, "_us ", latency:percentile(p), "\n")
   end
   out:write("samples\n", samples)
   out:close()
end
