// 发送验证码 → 60秒: the SMS button counts down once a code is sent (the API allows one code
// a minute per phone), then offers to send again.
import { computed, onScopeDispose, ref } from 'vue'

export function useCountdown(seconds = 60) {
  const remaining = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null

  function stop(): void {
    if (timer !== null) clearInterval(timer)
    timer = null
    remaining.value = 0
  }

  function start(from = seconds): void {
    stop()
    remaining.value = from
    timer = setInterval(() => {
      remaining.value -= 1
      if (remaining.value <= 0) stop()
    }, 1000)
  }

  onScopeDispose(stop)
  return { remaining, running: computed(() => remaining.value > 0), start, stop }
}
