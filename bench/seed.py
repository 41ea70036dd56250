"""The benchmark's data seeder: a province's orgs, accounts, demands and claim processes, in bulk.

`seed()` writes into an empty, migrated database the rows the services would have left after
a year of use: league orgs (a tree under the province) with a reviewer each, volunteer orgs
with complete profiles and an operator each, demands in every zone and in the states of a real
province, and claims in every shape of their process: completed, rejected, pending review,
approved, waiting for both ratings or for the second.

Orgs, accounts and demands are generated here and written in bulk. Claims are not: for each
shape the seeder runs one (or a few) real lifecycles through the public services on the
shape's first demands, records every row those runs wrote in every table (Viewflow's process,
tasks and task links, the claim, activity, ratings, points, audit records, whatever the flow
writes next year), and writes them again for each of the shape's other demands with new keys
and its own demand, orgs, users and moment (`bench.copier`). A change in the flow changes what
is copied without a change here. `manage.py check_consistency` finds nothing to report.

PostgreSQL gets the rows through COPY, with the tables' secondary indexes and foreign keys
created again after the rows (as pg_restore does); SQLite through executemany; both from the
same generated rows. Primary keys are assigned here, after the tables' highest, so rows can
refer to each other without a round trip; the sequences are reset at the end. Random choices
are seeded: the same scale gives the same province (API tokens and the moments of the template
runs apart).

    python -m bench.seed --demands 2000 --volunteer-orgs 200 --league-orgs 60 \\
        --finished 800 --running 100 --clients 4 --out manifest.json
"""

# ruff: noqa: E402 (`python -m bench.seed` sets Django up before the models are imported)

import os

if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()

import argparse
import bisect
import datetime
import itertools
import json
import math
import random
import secrets
import sys
import time
import zoneinfo
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from bench import copier
from demands.choices import Guarantee, Zone
from demands.models import Demand, DemandStatus
from orgs.backends import review_permission
from orgs.choices import LeagueLevel, Registration, Role, ServiceArea, ServiceObject
from orgs.models import AuditRecord, City, LeagueOrg, Membership, User, VolunteerOrg
from scoring import services as rating_services
from scoring.models import Side
from workflows import services as claim_services
from workflows.models import Claim, ClaimStatus

# The plain password of every seeded account (one hash, computed once, for all of them).
PASSWORD = "Bench-2026!"
RANDOM_SEED = 6
# Share of the running (pending) claims that go to the `clients` reviewers of the manifest;
# the rest are spread over all league orgs, so that other queues are not empty either.
MANIFEST_QUEUE_SHARE = 0.9
DEMAND_ID_SAMPLE = 1000

SECOND = 1_000_000  # times are integer microseconds since the epoch until they are written
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MS = 1000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)

# Districts (or, in the two cities without districts, towns and streets) of each city.
_DISTRICT_NAMES = {
    "440100": "越秀区 海珠区 荔湾区 天河区 白云区 黄埔区 番禺区 花都区 南沙区 从化区 增城区",
    "440200": "浈江区 武江区 曲江区 南雄市 乐昌市 仁化县 始兴县 翁源县 新丰县 乳源瑶族自治县",
    "440300": "福田区 罗湖区 南山区 盐田区 宝安区 龙岗区 龙华区 坪山区 光明区",
    "440400": "香洲区 斗门区 金湾区",
    "440500": "龙湖区 金平区 濠江区 潮阳区 潮南区 澄海区 南澳县",
    "440600": "禅城区 南海区 顺德区 三水区 高明区",
    "440700": "蓬江区 江海区 新会区 台山市 开平市 鹤山市 恩平市",
    "440800": "赤坎区 霞山区 坡头区 麻章区 雷州市 廉江市 吴川市 遂溪县 徐闻县",
    "440900": "茂南区 电白区 高州市 化州市 信宜市",
    "441200": "端州区 鼎湖区 高要区 四会市 广宁县 怀集县 封开县 德庆县",
    "441300": "惠城区 惠阳区 博罗县 惠东县 龙门县",
    "441400": "梅江区 梅县区 兴宁市 平远县 蕉岭县 大埔县 丰顺县 五华县",
    "441500": "城区 海丰县 陆河县 陆丰市",
    "441600": "源城区 东源县 和平县 龙川县 紫金县 连平县",
    "441700": "江城区 阳东区 阳春市 阳西县",
    "441800": "清城区 清新区 英德市 连州市 佛冈县 阳山县",
    "441900": "莞城街道 南城街道 东城街道 虎门镇 长安镇 松山湖",
    "442000": "石岐街道 东区街道 火炬开发区 小榄镇 坦洲镇",
    "445100": "湘桥区 潮安区 饶平县",
    "445200": "榕城区 揭东区 普宁市 揭西县 惠来县",
    "445300": "云城区 云安区 罗定市 新兴县 郁南县",
}
DISTRICTS = {code: names.split() for code, names in _DISTRICT_NAMES.items()}
AREA_CODES = {
    "440100": "020", "440200": "0751", "440300": "0755", "440400": "0756", "440500": "0754",
    "440600": "0757", "440700": "0750", "440800": "0759", "440900": "0668", "441200": "0758",
    "441300": "0752", "441400": "0753", "441500": "0660", "441600": "0762", "441700": "0662",
    "441800": "0763", "441900": "0769", "442000": "0760", "445100": "0768", "445200": "0663",
    "445300": "0766",
}  # fmt: skip
# Where the volunteer orgs are: the big cities have more of them.
CITY_WEIGHT = {"440100": 4, "440300": 4, "440600": 2, "441900": 2}
STREETS = "东湖 西门 南华 北城 新桥 石龙 平安 和平 凤凰 龙岗 金沙 白沙 河西 江南 桥头 新塘".split()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯董程曹袁邓许沈曾彭吕苏卢蔡叶钟"
GIVEN_NAMES = (
    "伟 芳 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 志强 晓红 建华 丽华 嘉怡 "
    "子轩 雨涵 思远 文博 海燕 国栋 少华 慧敏 振宇 家豪 晓琳 泽楷 婉婷 浩然 梓萱"
).split()
ORG_THEMES = "青年 阳光 爱心 启航 同心 春晖 向日葵 蒲公英 红棉 善行 微光 木棉 知行 暖阳".split()
ORG_KINDS = "志愿服务队 青年志愿者协会 义工联合会 社会工作服务中心 志愿服务中心 关爱协会".split()

# (service area, title, what is needed) per zone; the zone's prefix and a district go first.
TOPICS = {
    Zone.COLORFUL_HOLIDAY: [
        ("care_for_minors", "陪伴外来务工人员子女度过假期", "外来务工人员子女假期无人看护，需要志愿者陪伴孩子完成假期作业，并开展阅读和手工活动"),
        ("care_for_minors", "开展防溺水安全教育", "假期是溺水事故高发期，需要志愿者走进社区为孩子讲解防溺水知识并开展情景演练"),
        ("care_for_minors", "关爱留守儿童假期陪伴计划", "留守儿童假期跟随祖辈生活，需要志愿者开展课业辅导、心理陪伴和安全教育"),
        ("culture_sports", "为社区儿童开设书法绘画兴趣班", "社区小学生报名假期兴趣班，需要擅长书法、绘画的志愿者每周末授课"),
        ("culture_sports", "非遗剪纸体验营招募志愿者", "青少年宫举办非遗剪纸体验营，需要志愿者协助老师指导孩子剪纸并维持秩序"),
        ("culture_sports", "辅导社区儿童假期阅读", "社区图书室假期开放，需要志愿者每周两次带领孩子共读绘本"),
        ("environmental_protection", "亲子环保徒步活动招募志愿者", "组织亲子家庭沿河徒步并捡拾垃圾，需要志愿者担任领队并讲解垃圾分类知识"),
        ("psychological_health", "青少年假期心理健康团体辅导", "需要具备心理学背景的志愿者为初中生开展情绪管理和人际交往团体辅导"),
        ("legal_education", "青少年法治宣传进社区", "需要法律专业志愿者以情景剧和问答形式为青少年讲解防诈骗、防校园欺凌知识"),
    ],
    Zone.CLOUD_TEACHING: [
        ("care_for_minors", "为初二学生在线辅导物理", "镇中学初二学生物理基础薄弱，需要具备物理教学经验的志愿者每周线上辅导两次"),
        ("care_for_minors", "为随迁子女开设线上英语阅读课", "随迁子女英语阅读能力较弱，需要志愿者每周两晚线上带读英语绘本"),
        ("care_for_minors", "小学三年级英语数学线上辅导", "小学三年级学生英语和数学成绩偏弱，家长希望志愿者每周线上辅导两次"),
        ("culture_sports", "为留守儿童开设线上书法与绘画课", "中心小学留守儿童较多，学校缺少美术老师，希望志愿者每周线上教授书法和绘画"),
        ("care_for_minors", "初三化学中考冲刺线上答疑", "初三学生需要化学中考冲刺答疑，每周两晚线上集中答疑一小时"),
        ("other", "需要为小朋友补习数学课程", "需要招募数学老师为小学生在线辅导数学，他们上学期数学成绩中等偏下"),
        ("care_for_minors", "乡村小学线上科学实验课", "乡村小学缺少科学老师，希望志愿者每周线上演示一次科学小实验并讲解原理"),
    ],
    Zone.GENERAL: [
        ("elderly_service", "社区独居老人定期探访", "社区独居老人子女在外地工作，需要志愿者每周上门聊天并检查用电用气安全"),
        ("disability_service", "助残康复陪伴志愿服务", "残疾人康复中心需要志愿者协助康复训练并陪伴学员参加文体活动"),
        ("medical_aid", "社区义诊志愿服务", "社区卫生服务中心开展义诊，需要志愿者协助登记、引导和健康宣教"),
        ("drug_aids_prevention", "禁毒防艾宣传进校园", "需要志愿者走进中学开展禁毒防艾知识讲座和有奖问答"),
        ("environmental_protection", "河涌清洁护河行动", "需要志愿者每月两次沿河涌巡查并清理垃圾，向居民宣传护河知识"),
        ("poverty_alleviation", "乡村振兴农产品直播助农", "需要熟悉新媒体的志愿者帮助农户拍摄短视频、直播销售农产品"),
        ("legal_education", "社区普法宣传服务", "需要法律专业志愿者在社区开展民法典宣传和法律咨询"),
        ("other", "大型赛会志愿服务", "市级体育赛事需要志愿者承担观众引导、信息咨询和赛场秩序维护"),
    ],
}  # fmt: skip
TYPE_OTHER = {
    Zone.CLOUD_TEACHING: "线上学业辅导",
    Zone.COLORFUL_HOLIDAY: "假期活动",
    Zone.GENERAL: "赛会保障",
}
ZONES = [Zone.COLORFUL_HOLIDAY, Zone.CLOUD_TEACHING, Zone.GENERAL]
ZONE_CUM_WEIGHTS = [4, 7, 10]
GUARANTEES = [g.value for g in Guarantee if g != Guarantee.OTHER]
CATEGORY_OF_TYPE = {
    "care_for_minors": "education",
    "culture_sports": "culture_sports",
    "environmental_protection": "environment",
    "psychological_health": "medical",
    "legal_education": "legal",
    "elderly_service": "elderly_disabled",
    "disability_service": "elderly_disabled",
    "medical_aid": "medical",
    "drug_aids_prevention": "community_service",
    "poverty_alleviation": "community_service",
    "other": "other",
}
CLOSE_REASONS = [
    "活动取消",
    "场地临时调整，需求取消",
    "已由本单位自行安排志愿者",
    "需求信息有误，重新发布",
    "",
]
LEAGUE_COMMENTS = [
    "志愿者准备充分，孩子们很喜欢。",
    "服务认真负责，按时到岗。",
    "对接顺畅，效果很好。",
    "",
]
VOLUNTEER_COMMENTS = [
    "团组织对接及时，保障到位。",
    "场地和餐饮安排周到。",
    "需求描述清楚，配合积极。",
    "",
]
# The claim shapes the seeder makes, each from its lifecycle(s) run through the services: the
# steps after the claim request. A shape's claims are shared out among its variants.
SHAPES = {
    "completed": [
        ["approve", "activity", ("rate", Side.LEAGUE, 5), ("rate", Side.VOLUNTEER, 5)],
        ["approve", "activity", ("rate", Side.VOLUNTEER, 4), ("rate", Side.LEAGUE, 5)],
        ["approve", "activity", ("rate", Side.LEAGUE, 3), ("rate", Side.VOLUNTEER, 4)],
    ],
    "rejected": [["reject"]],
    "pending": [[]],
    "approved": [["approve"]],
    "activity": [["approve", "activity"]],
    "rated_once": [["approve", "activity", ("rate", Side.LEAGUE, 4)]],
}
# Whose publication window and period each claim shape's demand has.
TIMES_OF = {
    "rejected": "open",
    "pending": "running",
    "approved": "running",
    "activity": "running",
    "rated_once": "running",
}


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _landline(rng: random.Random, city_code: str) -> str:
    area = AREA_CODES[city_code]
    return f"{area}-{rng.randrange(2 * 10**7, 9 * 10**7) if len(area) == 3 else rng.randrange(2 * 10**6, 9 * 10**6)}"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _at(us: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(microseconds=us)


_DAYS: dict[int, str] = {}


def _iso(us: int) -> str:
    """`_at(us)` in ISO format, UTC, without its offset (as datetime.isoformat(" ") writes it).

    Several times faster than through a datetime, which matters for millions of them.
    """
    day, rest = divmod(us, DAY)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = (EPOCH + datetime.timedelta(days=day)).strftime("%Y-%m-%d")
    seconds, micro = divmod(rest, SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    if micro:
        return f"{date} {hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"
    return f"{date} {hour:02d}:{minute:02d}:{second:02d}"


def _micros_now() -> int:
    return copier.micros(datetime.datetime.now(datetime.UTC))


def _local_date(us: int) -> datetime.date:
    return _at(us).astimezone(LOCAL).date()


def _local_midnight(day: datetime.date) -> int:
    moment = datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL)
    return (moment - EPOCH) // datetime.timedelta(microseconds=1)


# -- writing rows ----------------------------------------------------------------------------


class _Writer:
    """Writes rows of a model's columns: COPY on PostgreSQL, executemany elsewhere.

    A row holds the values of `fields` (attnames) in Python form, with times as epoch
    microseconds; the model's other concrete fields get their defaults, so a column added
    later with a default does not break the seeder.
    """

    CHUNK = 1 << 20  # characters of COPY data sent at a time

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def first_id(self, model) -> int:
        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def _converter(self, field):
        """The function that turns a Python value of `field` into what the database takes."""
        kind = (field.target_field if field.is_relation else field).get_internal_type()
        if self.postgres:  # COPY's text format
            if kind == "DateTimeField":
                return lambda us: _iso(us) + "+00"
            if kind == "JSONField":
                return lambda value: _copy_text(json.dumps(value))
            if kind == "BooleanField":
                return lambda value: "t" if value else "f"
            if kind in ("CharField", "TextField", "FileField", "ImageField"):
                return _copy_text
            return str  # numbers and dates
        if kind == "DateTimeField":
            if connection.timezone_name == "UTC":  # stored as naive UTC, as Django writes it
                return _iso
            adapt = connection.ops.adapt_datetimefield_value
            return lambda us: adapt(_at(us))
        if kind == "JSONField":
            return json.dumps
        if kind == "DateField":
            return datetime.date.isoformat
        if kind == "DecimalField":
            return str
        return None

    def insert(self, model, fields: list[str], rows) -> int:
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        given_names = {f.attname for f in given}
        extra = [
            f for f in opts.concrete_fields if f.attname not in given_names and not f.primary_key
        ]
        qn = connection.ops.quote_name
        table = qn(opts.db_table)
        names = ", ".join(qn(f.column) for f in given + extra)
        tail = []
        for field in extra:
            value = field.get_default()
            convert = self._converter(field)
            tail.append(convert(value) if convert and value is not None else value)
        converters = [self._converter(f) for f in given]
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                end = "".join("\t" + (r"\N" if v is None else v) for v in tail) + "\n"
                pairs = list(zip(converters, range(len(given)), strict=True))
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    chunk, size = [], 0
                    for row in rows:
                        line = "\t".join(
                            r"\N" if row[i] is None else convert(row[i]) for convert, i in pairs
                        )
                        chunk.append(line + end)
                        size += len(line)
                        count += 1
                        if size > self.CHUNK:
                            copy.write("".join(chunk))
                            chunk, size = [], 0
                    copy.write("".join(chunk))
            else:
                indexed = [(i, c) for i, c in enumerate(converters) if c is not None]
                tail = tuple(tail)

                def prepared():
                    nonlocal count
                    for row in rows:
                        count += 1
                        row = list(row)
                        for i, convert in indexed:
                            if row[i] is not None:
                                row[i] = convert(row[i])
                        yield (*row, *tail)

                marks = ", ".join(["%s"] * (len(given) + len(extra)))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared())
        self.counts[opts.label] = self.counts.get(opts.label, 0) + count
        return count

    @contextmanager
    def indexes_and_foreign_keys_after_the_rows(self, models):
        """On PostgreSQL, drop the secondary indexes and foreign keys of `models`' tables while
        the rows go in, and create them again after, as pg_restore does.

        Otherwise every row updates each index and queues a deferred foreign key check run one
        by one at commit; an index built once from all rows and a constraint that checks all
        rows in one query take a fraction of that. The schema is the same afterwards.
        """
        if not self.postgres:
            yield
            return
        qn = connection.ops.quote_name
        tables = [m._meta.db_table for m in models]
        names = tables + [qn(t) for t in tables]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                [names],
            )
            foreign_keys = cursor.fetchall()
            # Indexes of no primary key or unique constraint (those stay: they keep rows apart).
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
                "WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS (SELECT 1 FROM "
                "pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))",
                [names],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")

    def reset_sequences(self, models) -> None:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


# -- the plan --------------------------------------------------------------------------------


class _League:
    __slots__ = ("id", "level", "city", "district", "reviewer_id")

    def __init__(self, id, level, city, district):
        self.id, self.level, self.city, self.district = id, level, city, district
        self.reviewer_id = None


class _Org:
    __slots__ = ("id", "city", "contact_name", "contact_mobile", "operator_id")

    def __init__(self, id, city, contact_name, contact_mobile):
        self.id, self.city = id, city
        self.contact_name, self.contact_mobile = contact_name, contact_mobile
        self.operator_id = None


class _Demand:
    """A demand to write, its fate (`kind`) and the moments of its story."""

    __slots__ = (
        "id", "kind", "league", "zone", "topic", "city", "district", "title", "volunteers",
        "start", "end", "guarantees", "contact", "created", "published", "ended", "reason",
        "claim",
    )  # fmt: skip

    def __init__(self, kind, league):
        self.kind, self.league = kind, league
        self.published = self.ended = self.claim = None
        self.reason = ""


class _Claim:
    __slots__ = ("demand", "org", "requested")

    def __init__(self, demand, org, requested):
        self.demand, self.org, self.requested = demand, org, requested


class _Seeder:
    def __init__(self, *, demands, volunteer_orgs, league_orgs, finished, running, clients, out):
        self.n_demands, self.n_vorgs, self.n_leagues = demands, volunteer_orgs, league_orgs
        self.n_finished, self.n_running, self.clients = finished, running, clients
        self.out = out
        self.rng = random.Random(RANDOM_SEED)
        self.writer = _Writer()
        self.now = (datetime.datetime.now(datetime.UTC) - EPOCH) // datetime.timedelta(
            microseconds=1
        )
        self.today = _local_date(self.now)
        self.cities = list(City.objects.order_by("code"))
        if not self.cities:
            raise RuntimeError("no cities: the database is not migrated")
        self.demand_ct = ContentType.objects.get_for_model(Demand).pk
        self.password = make_password(PASSWORD)
        self.leagues: list[_League] = []
        self.orgs: list[_Org] = []
        self.demands: list[_Demand] = []
        self.claims: list[_Claim] = []
        self.anchor_changes: dict = {}  # (model, pk) → fields a template run changed
        self.template_names: list[str] = []
        # (at, actor id, content type id, object id, action, from state, to state, reason)
        self.audit: list[tuple] = []
        self.admin_id = None
        # What the services write in the site's language (the expiry job has no request).
        with translation.override(settings.LANGUAGE_CODE):
            self.expired_reason = gettext("需求周期结束仍未被认领")
        self.stage_started = time.monotonic()

    def stage(self, what: str) -> None:
        now = time.monotonic()
        self.out(f"  {what} ({now - self.stage_started:.1f}s)")
        self.stage_started = now

    def between(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low))

    def run(self) -> dict:
        every = copier.tables()
        with self.writer.indexes_and_foreign_keys_after_the_rows(every):
            self.seed_league_orgs()
            self.seed_volunteer_orgs()
            self.seed_users()
            self.plan_demands()
            self.plan_claims()
            recorded = self.record_templates()
            self.template_names = [t.name for _shape, t, *_ in recorded]
            self.copy_claims(recorded)
            firsts = {first.demand.id for _shape, _t, first, *_ in recorded}
            changes = {pk: f for (m, pk), f in self.anchor_changes.items() if m is Demand}
            self.write_demands([d for d in self.demands if d.id not in firsts], changes)
            self.apply_anchor_changes()
            self.write_audit()
            self.write_tokens()
        if self.writer.postgres:
            self.stage("indexes built, foreign keys added and checked")
        self.writer.reset_sequences(every)
        return self.manifest()

    # -- orgs and accounts ------------------------------------------------------------------

    def seed_league_orgs(self) -> None:
        rng, created = self.rng, self.now - 400 * DAY
        first = self.writer.first_id(LeagueOrg)
        rows = []

        def add(parent, level, city, district, code, name):
            league = _League(first + len(rows), level, city, district)
            self.leagues.append(league)
            contact_city = (city or self.cities[0]).code
            rows.append(
                (
                    league.id, code, name, parent.id if parent else None, level,
                    city.pk if city else None, district, _person(rng),
                    _landline(rng, contact_city), _mobile(rng),
                    f"{name}负责辖区青年志愿服务需求的发布与对接。",
                    created + len(rows) * SECOND, created + len(rows) * SECOND,
                )
            )  # fmt: skip
            return league

        province = add(None, LeagueLevel.PROVINCE, None, "", "BENCH-GD", "共青团广东省委员会")
        cities = [
            add(province, LeagueLevel.CITY, c, DISTRICTS[c.code][0], f"BENCH-{c.code}", f"共青团{c.name}委员会")
            for c in self.cities[: max(0, min(len(self.cities), self.n_leagues - 1))]
        ]  # fmt: skip
        rest = self.n_leagues - 1 - len(cities)
        n_district = math.ceil(rest / 10)
        districts = []
        for i in range(n_district):
            parent = cities[i % len(cities)]
            names = DISTRICTS[parent.city.code]
            lap, district = divmod(i // len(cities), len(names))
            suffix = f"第{lap + 1}工作委员会" if lap else "委员会"
            districts.append(
                add(parent, LeagueLevel.DISTRICT, parent.city, names[district], f"BENCH-D{i:05d}",
                    f"共青团{parent.city.name}{names[district]}{suffix}")
            )  # fmt: skip
        for i in range(rest - n_district):
            parent = districts[i % len(districts)]
            k = i // len(districts)
            if i % 2 == 0:
                street = STREETS[k % len(STREETS)] + ("" if k < len(STREETS) else str(k))
                level, name = LeagueLevel.STREET, f"共青团{parent.district}{street}街道工作委员会"
            else:
                level, name = LeagueLevel.BRANCH, f"共青团{parent.district}第{k + 1}中学委员会"
            add(parent, level, parent.city, parent.district, f"BENCH-S{i:05d}", name)
        self.writer.insert(
            LeagueOrg,
            ["id", "code", "name", "parent_id", "level", "city_id", "district", "contact_name",
             "contact_landline", "contact_mobile", "intro", "created_at", "updated_at"],
            rows,
        )  # fmt: skip
        self.stage(f"{len(rows)} league orgs")

    def seed_volunteer_orgs(self) -> None:
        rng, created = self.rng, self.now - 380 * DAY
        first = self.writer.first_id(VolunteerOrg)
        weights = [CITY_WEIGHT.get(c.code, 1) for c in self.cities]
        registered_in: dict[int, list[int]] = {}
        names_used: dict[str, int] = {}
        areas, objects = ServiceArea.values, ServiceObject.values
        rows = []
        for i in range(self.n_vorgs):
            oid = first + i
            city = rng.choices(self.cities, weights)[0]
            district = rng.choice(DISTRICTS[city.code])
            name = f"{city.name}{district}{rng.choice(ORG_THEMES)}{rng.choice(ORG_KINDS)}"
            seen = names_used.get(name, 0)
            names_used[name] = seen + 1
            if seen:
                name += f"第{seen + 1}分队"
            endorser = None
            if rng.random() < 0.15 and registered_in.get(city.pk):
                endorser = rng.choice(registered_in[city.pk])
            else:
                registered_in.setdefault(city.pk, []).append(oid)
            org = _Org(oid, city, _person(rng), _mobile(rng))
            self.orgs.append(org)
            my_areas = rng.sample(areas, rng.randint(1, 3))
            rows.append(
                (
                    oid, f"BENCH-V{i:06d}", name,
                    Registration.ENDORSED if endorser else Registration.REGISTERED, endorser,
                    city.pk, my_areas, rng.sample(objects, rng.randint(1, 2)),
                    rng.randint(5, 500), org.contact_name, org.contact_mobile,
                    f"扎根{city.name}{district}，长期开展"
                    + "、".join(str(ServiceArea(a).label) for a in my_areas)
                    + "志愿服务。",
                    "", created + i * SECOND, created + i * SECOND,
                )
            )  # fmt: skip
        self.writer.insert(
            VolunteerOrg,
            ["id", "code", "name", "registration", "endorsed_by_id", "city_id", "service_areas",
             "service_objects", "volunteer_count", "contact_name", "contact_mobile", "intro",
             "photo", "created_at", "updated_at"],
            rows,
        )  # fmt: skip
        self.orgs_in_city: dict[int, list[_Org]] = {}
        for org in self.orgs:
            self.orgs_in_city.setdefault(org.city.pk, []).append(org)
        self.stage(f"{len(rows)} volunteer orgs")

    def seed_users(self) -> None:
        rng, joined = self.rng, self.now - 370 * DAY
        user_id = self.writer.first_id(User)
        membership_id = self.writer.first_id(Membership)
        users, memberships = [], []

        def add(username, display_name, *, staff=False):
            nonlocal user_id
            users.append(
                (user_id, self.password, False, username, "", "", "", staff, True,
                 joined + len(users) * SECOND, display_name, "", False)
            )  # fmt: skip
            user_id += 1
            return user_id - 1

        def member(user, role, league=None, org=None):
            memberships.append((membership_id + len(memberships), user, role, league, org))

        for i, league in enumerate(self.leagues):
            league.reviewer_id = add(f"bench_reviewer_{i:05d}", _person(rng))
            member(league.reviewer_id, Role.LEAGUE_REVIEWER, league=league.id)
        for i, org in enumerate(self.orgs):
            org.operator_id = add(f"bench_operator_{i:06d}", org.contact_name)
            member(org.operator_id, Role.ORG_OPERATOR, org=org.id)
        self.admin_id = add("bench_admin", "团省委管理员", staff=True)
        member(self.admin_id, Role.PROVINCIAL_ADMIN, league=self.leagues[0].id)
        self.writer.insert(
            User,
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
             "is_staff", "is_active", "date_joined", "display_name", "mobile",
             "must_change_password"],
            users,
        )  # fmt: skip
        self.writer.insert(
            Membership, ["id", "user_id", "role", "league_org_id", "volunteer_org_id"], memberships
        )
        self.stage(f"{len(users)} users")

    # -- demands and claims -------------------------------------------------------------------

    def counts_by_kind(self) -> dict[str, int]:
        rejected = self.n_finished // 10
        # Of the running claims, one in twenty each is approved, waiting for both ratings, or
        # for the second one; the rest wait for their review.
        later = (
            self.n_running // 20 if self.n_running >= 20 else int(self.n_running > self.clients + 3)
        )
        rest = self.n_demands - self.n_finished - self.n_running
        wanted = self.clients * 200
        n_open = max(rest // 4, min(wanted, rest * 3 // 4))
        if n_open < wanted:
            self.out(f"  note: {n_open} open demands without claims, fewer than clients*200")
        others = rest - n_open
        n_draft = round(others * 0.06)
        n_closed = round(others * 0.34)
        return {
            "completed": self.n_finished - rejected,
            "rejected": rejected,
            "pending": self.n_running - 3 * later,
            "approved": later,
            "activity": later,
            "rated_once": later,
            "open": n_open,
            "draft": n_draft,
            "closed": n_closed,
            "expired": others - n_draft - n_closed,
        }

    def plan_demands(self) -> None:
        rng = self.rng
        leagues = self.leagues
        # Who publishes: city league orgs most, the province a little, the rest the remainder.
        weights = [
            1.0 if lg.level == LeagueLevel.PROVINCE else 40.0 if lg.level == LeagueLevel.CITY else 8.0
            for lg in leagues
        ]  # fmt: skip
        cum = list(itertools.accumulate(weights))
        self.manifest_leagues = [lg for lg in leagues if lg.level != LeagueLevel.PROVINCE][
            : self.clients
        ]
        self.kinds = self.counts_by_kind()
        plan = []
        for kind, n in self.kinds.items():
            if kind == "pending":
                picks = []
                for i in range(n):
                    if i < self.clients or rng.random() < MANIFEST_QUEUE_SHARE:
                        picks.append(self.manifest_leagues[i % self.clients])
                    else:
                        picks.append(leagues[bisect.bisect(cum, rng.random() * cum[-1])])
            else:
                picks = [leagues[bisect.bisect(cum, rng.random() * cum[-1])] for _ in range(n)]
            plan += [_Demand(kind, lg) for lg in picks]
        published_seen = set()
        for d in plan:
            d.zone = rng.choices(ZONES, cum_weights=ZONE_CUM_WEIGHTS)[0]
            d.topic = rng.choice(TOPICS[d.zone])
            d.city = d.league.city or rng.choice(self.cities)
            if d.league.level in (LeagueLevel.PROVINCE, LeagueLevel.CITY):
                d.district = rng.choice(DISTRICTS[d.city.code])  # anywhere in its city
            else:
                d.district = d.league.district
            prefix = (rng.choice(("【云支教】", "【乡村云支教】")) if d.zone == Zone.CLOUD_TEACHING
                      else "【七彩假期】" if d.zone == Zone.COLORFUL_HOLIDAY else "")  # fmt: skip
            d.title = (prefix + d.district + d.topic[1])[:50]
            d.volunteers = rng.randint(1, 20)
            d.guarantees = rng.sample(GUARANTEES, rng.randint(0, 2))
            d.contact = (_person(rng), _landline(rng, d.city.code), _mobile(rng))
            self.plan_times(d)
            if d.published is not None:
                while d.published in published_seen:  # distinct publication moments
                    d.published += 1
                published_seen.add(d.published)
        plan.sort(key=lambda d: d.created)
        first = self.writer.first_id(Demand)
        for i, d in enumerate(plan):
            d.id = first + i
        self.demands = plan
        self.stage(f"planned {len(plan)} demands")

    def plan_times(self, d: _Demand) -> None:
        """Publication, period and end of a demand, as its kind needs them."""
        rng, now, today = self.rng, self.now, self.today
        kind = d.kind
        if kind == "draft":
            d.created = self.between(now - 60 * DAY, now - HOUR)
            d.start = _local_date(d.created) + datetime.timedelta(days=rng.randint(7, 30))
            d.end = d.start + datetime.timedelta(days=rng.randint(7, 60))
            if rng.random() < 0.3:
                d.contact = ("", "", "")  # step 2 not filled in yet
            return
        kind = TIMES_OF.get(kind, kind)
        window = {
            "completed": (365 * DAY, 45 * DAY),
            "expired": (365 * DAY, 40 * DAY),
            "closed": (365 * DAY, 3 * DAY),
            "open": (60 * DAY, 10 * MINUTE),
            "running": (30 * DAY, 2 * HOUR),
        }[kind]
        d.published = self.between(now - window[0], now - window[1])
        d.created = d.published - self.between(5 * MINUTE, 2 * DAY)
        published_day = _local_date(d.published)
        d.start = published_day + datetime.timedelta(days=rng.randint(0, 7))
        if kind == "expired":
            d.end = d.start + datetime.timedelta(days=rng.randint(0, 30))
            # The daily expiry run, the morning after the period ended.
            d.ended = _local_midnight(d.end + datetime.timedelta(days=1)) + self.between(
                5 * MINUTE, 15 * MINUTE
            )
            d.reason = self.expired_reason
        elif kind == "closed":
            d.end = d.start + datetime.timedelta(days=rng.randint(3, 60))
            d.ended = d.published + self.between(HOUR, min(20 * DAY, now - d.published))
            d.reason = rng.choice(CLOSE_REASONS)
        elif kind in ("open", "running"):
            d.end = max(d.start, today) + datetime.timedelta(days=rng.randint(7, 90))
        else:  # completed: the period covers the activity, planned with the claim
            d.end = d.start + datetime.timedelta(days=rng.randint(7, 60))

    def plan_claims(self) -> None:
        """Each claim's org and the moment its story starts (its request)."""
        rng, now = self.rng, self.now
        claims = []
        for d in self.demands:
            if d.kind not in SHAPES:
                continue
            local = self.orgs_in_city.get(d.city.pk)
            org = rng.choice(local) if local and rng.random() < 0.8 else rng.choice(self.orgs)
            if d.kind == "completed":
                requested = d.published + self.between(HOUR, 2 * DAY)
            else:
                requested = d.published + self.between(10 * MINUTE, min(5 * DAY, now - d.published))
            claims.append(_Claim(d, org, min(requested, now - HOUR)))
            d.claim = claims[-1]
        self.claims = claims
        self.stage(f"planned {len(claims)} claims")

    # -- writing the demands, the claims and their processes --------------------------------

    def write_demands(self, demands, changes=None) -> None:
        """The demands' rows as published (or drafted, closed, expired) and their audit records.

        A claim's later doings on its demand (claimed, in service, completed, and their audit
        records) come with the claim's copied rows: `changes` maps a demand id to the fields
        its template run changed (times in epoch microseconds).
        """
        audit, ct, changes = self.audit, self.demand_ct, changes or {}
        status = {kind: DemandStatus.OPEN for kind in SHAPES} | {
            "open": DemandStatus.OPEN,
            "draft": DemandStatus.DRAFT,
            "closed": DemandStatus.CLOSED,
            "expired": DemandStatus.EXPIRED,
        }
        fields = [
            "id", "league_org_id", "created_by_id", "zone", "title", "type", "type_other",
            "volunteers_needed", "content", "start_date", "end_date", "guarantees", "city_id",
            "district", "contact_name", "contact_landline", "contact_mobile", "service_content",
            "status", "published_at", "created_at", "updated_at",
        ]  # fmt: skip
        position = {name: i for i, name in enumerate(fields)}

        def rows():
            for d in demands:
                reviewer = d.league.reviewer_id
                kind, published = d.kind, d.published
                audit.append((d.created, reviewer, ct, d.id, "create", "", "draft", ""))
                if published is not None:
                    audit.append((published + 2 * MS, reviewer, ct, d.id, "publish", "draft", "open", ""))  # fmt: skip
                if kind == "closed":
                    audit.append((d.ended, reviewer, ct, d.id, "close", "open", "closed", d.reason))
                    updated = d.ended - MS
                elif kind == "expired":
                    audit.append((d.ended, None, ct, d.id, "expire", "open", "expired", d.reason))
                    updated = d.ended - MS
                else:
                    updated = published + MS if published is not None else d.created
                area, _title, need = d.topic
                contact_name, landline, mobile = d.contact
                row = [
                    d.id, d.league.id, reviewer, d.zone, d.title, area,
                    TYPE_OTHER[d.zone] if area == ServiceArea.OTHER else "", d.volunteers,
                    f"{need}。服务地点：{d.city.name}{d.district}。", d.start, d.end, d.guarantees, d.city.pk, d.district,
                    contact_name, landline, mobile, "", status[kind], published, d.created,
                    updated,
                ]  # fmt: skip
                for name, value in changes.get(d.id, {}).items():
                    row[position[name]] = value
                yield row

        self.writer.insert(Demand, fields, rows())
        self.stage(f"{len(demands)} demands")

    def record_templates(self) -> list:
        """Run each shape's lifecycle(s) for real, through the services, on its first demands.

        Returns [(shape, template, its demands' claims, what its copies are)]: the rest of the
        shape's claims are shared out among the shape's templates.
        """
        by_shape: dict[str, list[_Claim]] = {}
        for c in self.claims:
            by_shape.setdefault(c.demand.kind, []).append(c)
        recorded = []
        self.writer.reset_sequences(copier.tables())  # the services number their rows next
        for shape, variants in SHAPES.items():
            claims = by_shape.get(shape, [])
            variants = variants[: len(claims)]
            if not variants:
                continue
            firsts, rest = claims[: len(variants)], claims[len(variants) :]
            self.write_demands([c.demand for c in firsts])
            for n, (c, steps) in enumerate(zip(firsts, variants, strict=True)):
                d = c.demand
                anchors = {
                    (Demand, d.id): "demand",
                    (LeagueOrg, d.league.id): "league",
                    (User, d.league.reviewer_id): "reviewer",
                    (VolunteerOrg, c.org.id): "org",
                    (User, c.org.operator_id): "operator",
                }
                began = _micros_now()
                template = copier.record(
                    f"{shape} {n + 1}", lambda c=c, steps=steps: self.lifecycle(c, steps), anchors
                )
                span = _micros_now() - began
                recorded.append((shape, template, c, rest[n :: len(variants)], span))
            self.stage(f"{shape}: {len(firsts)} lifecycle(s) through the services")
        return recorded

    def lifecycle(self, c: _Claim, steps) -> None:
        """One claim's story through the public services, as the API would tell it."""
        d = c.demand
        reviewer = User.objects.get(pk=d.league.reviewer_id)
        operator = User.objects.get(pk=c.org.operator_id)
        claim = claim_services.claim_request(
            demand=Demand.objects.get(pk=d.id),
            org=VolunteerOrg.objects.get(pk=c.org.id),
            actor=operator,
        )
        for step in steps:
            claim = Claim.objects.get(pk=claim.pk)
            if step == "approve":
                claim_services.claim_approve(claim=claim, actor=reviewer)
            elif step == "reject":
                claim_services.claim_reject(
                    claim=claim, actor=reviewer, reason="服务时间与需求不符"
                )
            elif step == "activity":
                claim_services.activity_publish(
                    claim=claim, actor=operator, data=self.activity_data(c)
                )
            else:  # ("rate", side, stars)
                _, side, stars = step
                comments = LEAGUE_COMMENTS if side == Side.LEAGUE else VOLUNTEER_COMMENTS
                rating_services.rating_submit(
                    claim=claim,
                    actor=reviewer if side == Side.LEAGUE else operator,
                    stars=stars,
                    comment=comments[stars % len(comments)],
                )

    def activity_data(self, c: _Claim) -> dict:
        d, rng = c.demand, self.rng
        online = d.zone == Zone.CLOUD_TEACHING
        prefix = d.title[: len(d.title) - len(d.district) - len(d.topic[1])]
        start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
        return {
            "title": (prefix + d.district + d.topic[1])[:46] + "志愿服务",
            "attendance_method": "qr_code" if online else "qr_or_card",
            "activity_type": "volunteer_service",
            "category": CATEGORY_OF_TYPE[d.topic[0]],
            "recruit_count": d.volunteers,
            "contact_name": c.org.contact_name,
            "contact_phone": c.org.contact_mobile,
            "recruit_start_at": start - datetime.timedelta(days=1),
            "start_at": start,
            "end_at": start + datetime.timedelta(hours=4),
            "address": f"{d.city.name}{d.district}"
            + ("（线上授课）" if online else f"{rng.choice(STREETS)}社区党群服务中心"),
            "longitude": None if online else Decimal(f"{rng.uniform(110.5, 116.5):.6f}"),
            "latitude": None if online else Decimal(f"{rng.uniform(21.0, 25.0):.6f}"),
            "checkin_radius_km": Decimal("0") if online else Decimal("3"),
            "signup_scope": "org_members" if online else "all",
            "suitability": [] if online else ["students"],
            "service_objects": [ServiceObject.TEENAGERS],
            "guarantees": d.guarantees,
            "description": d.topic[2],
            "service_content": d.topic[1],
            "certificate_consent": True,
        }

    def copy_claims(self, recorded) -> None:
        """Every other claim: its template's rows again, with new keys, at its own moment."""
        first_ids: dict = {}
        for shape, template, first, claims, span in recorded:
            for model in template.rows:
                first_ids.setdefault(model, self.writer.first_id(model))
            targets, changes = [], {}
            t_first = first.demand
            for c in claims:
                d = c.demand
                shift = min(c.requested, self.now - span - MINUTE) - template.t0
                pairs = [(t_first.title, d.title)]
                if d.league.id != t_first.league.id:
                    old, new = review_permission(t_first.league.id), review_permission(d.league.id)
                    pairs.append((old, new))
                slots = {
                    "demand": d.id,
                    "league": d.league.id,
                    "reviewer": d.league.reviewer_id,
                    "org": c.org.id,
                    "operator": c.org.operator_id,
                }
                targets.append((slots, shift, pairs))
                for (model, _pk), fields in template.changed.items():
                    slot = template.anchors[(model, _pk)]
                    changes.setdefault((model, slots[slot]), {}).update(
                        {
                            name: copier.micros(v) + shift
                            if isinstance(v, datetime.datetime)
                            else v
                            for name, v in fields.items()
                        }
                    )
            first_ids = template.copy(self.writer, targets, first_ids)
            self.anchor_changes.update(changes)
            self.stage(f"{shape}: {len(claims)} copies of {template.name}")

    def apply_anchor_changes(self) -> None:
        """Fields the templates changed on rows that were written before them (not demands)."""
        by_model: dict = {}
        for (model, pk), fields in self.anchor_changes.items():
            if model is not Demand:
                by_model.setdefault(model, []).append((pk, fields))
        for model, rows in by_model.items():
            for pk, fields in rows:  # rare: only if the flow changes orgs or users
                values = {
                    name: _at(v) if model._meta.get_field(name).get_internal_type() == "DateTimeField" else v
                    for name, v in fields.items()
                }  # fmt: skip
                QuerySet(model).filter(pk=pk).update(**values)
            self.stage(f"{len(rows)} {model._meta.label} rows changed as their templates' were")

    def write_audit(self) -> None:
        # Ids in the order things happened, as the services would have numbered them.
        self.audit.sort(key=lambda record: record[0])
        first = self.writer.first_id(AuditRecord)
        self.writer.insert(
            AuditRecord,
            ["id", "at", "actor_id", "content_type_id", "object_id", "action", "from_state",
             "to_state", "reason"],
            ((first + i, *record) for i, record in enumerate(self.audit)),
        )  # fmt: skip
        self.stage(f"{len(self.audit)} audit records")
        self.audit = []

    def write_tokens(self) -> None:
        """API tokens, made now, for every reviewer, the manifest's operators and the admin."""
        self.manifest_orgs = self.rng.sample(self.orgs, min(len(self.orgs), self.clients * 2))
        users = [lg.reviewer_id for lg in self.leagues]
        users += [org.operator_id for org in self.manifest_orgs] + [self.admin_id]
        self.tokens = {user: secrets.token_hex(20) for user in users}  # as Token.generate_key
        self.writer.insert(
            Token,
            ["key", "user_id", "created"],
            [(key, user, self.now) for user, key in self.tokens.items()],
        )
        self.stage(f"{len(self.tokens)} API tokens")

    # -- the manifest -----------------------------------------------------------------------

    def manifest(self) -> dict:
        leagues = [lg.id for lg in self.manifest_leagues]
        pending: dict[int, list[int]] = {}
        for claim_id, league_id in (
            Claim.objects.filter(status=ClaimStatus.PENDING, demand__league_org_id__in=leagues)
            .order_by("pk")
            .values_list("pk", "demand__league_org_id")
        ):
            pending.setdefault(league_id, []).append(claim_id)
        open_demands = [
            {"id": d.id, "league_org_id": d.league.id, "reviewer_token": self.tokens[d.league.reviewer_id]}
            for d in self.demands
            if d.kind == "open"
        ]  # fmt: skip
        public = [d.id for d in self.demands if d.kind != "draft"]
        by_status = dict(
            Demand.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        )
        claims_by_status = dict(
            Claim.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        )
        return {
            "scale": {
                "demands": len(self.demands),
                "volunteer_orgs": len(self.orgs),
                "league_orgs": len(self.leagues),
                "finished": self.n_finished,
                "running": self.n_running,
                "clients": self.clients,
                "demands_by_status": by_status,
                "claims_by_status": claims_by_status,
                "open_demands_without_claims": len(open_demands),
                "templates": self.template_names,
                "rows": dict(self.writer.counts),
            },
            "reviewers": [
                {
                    "username": f"bench_reviewer_{self.leagues.index(lg):05d}",
                    "token": self.tokens[lg.reviewer_id],
                    "league_org_id": lg.id,
                    "pending_claim_ids": pending.get(lg.id, []),
                }
                for lg in self.manifest_leagues
            ],
            "operators": [
                {
                    "username": f"bench_operator_{self.orgs.index(org):06d}",
                    "token": self.tokens[org.operator_id],
                    "org_id": org.id,
                }
                for org in self.manifest_orgs
            ],
            "admin": {"username": "bench_admin", "token": self.tokens[self.admin_id]},
            "open_demands": open_demands,
            "demand_ids": sorted(self.rng.sample(public, min(len(public), DEMAND_ID_SAMPLE))),
            "password": PASSWORD,
        }


# -- entry points ----------------------------------------------------------------------------


def _check_scale(*, demands, volunteer_orgs, league_orgs, finished, running, clients) -> None:
    problems = []
    if min(demands, volunteer_orgs, league_orgs, finished, running, clients) < 0:
        problems.append("counts cannot be negative")
    if finished + running > demands:
        problems.append("finished + running claims need as many demands")
    if league_orgs < clients + 1:
        problems.append("each client needs its own league org besides the province")
    if volunteer_orgs < max(1, clients * 2):
        problems.append("the manifest needs clients*2 volunteer orgs")
    if running < clients:
        problems.append("each client's reviewer needs at least one running claim")
    if problems:
        raise ValueError("; ".join(problems))


def seed(
    *,
    demands=100_000,
    volunteer_orgs=10_000,
    league_orgs=2_000,
    finished=50_000,
    running=5_000,
    clients=16,
    out=print,
) -> dict:
    """Fill the empty, migrated database with a province; return the benchmark's manifest.

    `finished` claims are completed (activity, two ratings, points, process DONE) and their
    demands completed; `running` claims are pending at review on open demands, most of them
    in the queues of the `clients` reviewers of the manifest; the other demands are open
    (at least clients*200 of them, for the runner to claim), closed, expired or drafts.
    """
    scale = dict(
        demands=demands,
        volunteer_orgs=volunteer_orgs,
        league_orgs=league_orgs,
        finished=finished,
        running=running,
        clients=clients,
    )
    _check_scale(**scale)
    started = time.monotonic()
    out(f"seeding {scale} on {connection.vendor}")
    with transaction.atomic():
        seeder = _Seeder(**scale, out=out)
        manifest = seeder.run()
        committing = time.monotonic()
    out(f"  commit ({time.monotonic() - committing:.1f}s)")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics and visibility maps, as autovacuum would leave them; otherwise it
        # would run during the benchmark.
        vacuum_started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        out(f"  vacuum analyze ({time.monotonic() - vacuum_started:.1f}s)")
    manifest["seconds"] = round(time.monotonic() - started, 1)
    out(f"seeded in {manifest['seconds']}s")
    return manifest


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed",
        description="Seed the (empty, migrated) database of the current settings.",
    )
    for name, default in (
        ("demands", 100_000),
        ("volunteer-orgs", 10_000),
        ("league-orgs", 2_000),
        ("finished", 50_000),
        ("running", 5_000),
        ("clients", 16),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--out", help="write the manifest (JSON) to this file")
    args = vars(parser.parse_args(argv))
    path = args.pop("out")
    manifest = seed(**args)
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"manifest: {path}")
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
