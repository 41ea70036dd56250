"""Seed demo orgs, accounts, and demands and claims in every state of both zones."""

import datetime
import unicodedata
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demands import services as demand_services
from demands.choices import InitialDemandKind, Zone
from demands.models import Demand, InitialDemand
from orgs.choices import LeagueLevel, Registration, Role, ServiceArea, ServiceObject
from orgs.models import City, LeagueOrg, Membership, User, VolunteerOrg
from scoring import services as scoring_services
from workflows import deadlines
from workflows import services as claim_services
from workflows.models import Claim

# Its presence means the demo was seeded; every other row is keyed by a code or username too.
PROVINCE_CODE = "GD-PROV"
# Demo-only credentials, printed at the end on purpose: they are not secrets.
DEMO_PASSWORD = "Demo-2026!"
IMPORTED_ACCOUNT = "league_sg"

LEAGUE_ORGS = [
    # code, name, parent, level, city, district, contact name, landline, mobile
    (PROVINCE_CODE, "共青团广东省委员会", None, LeagueLevel.PROVINCE, None, "", "黄志远", "020-87195432", "13802778810"),
    ("GD-GZ", "共青团广州市委员会", PROVINCE_CODE, LeagueLevel.CITY, "广州市", "越秀区", "陈晓红", "020-83862345", "13926041588"),
    ("GD-SZ", "共青团深圳市委员会", PROVINCE_CODE, LeagueLevel.CITY, "深圳市", "福田区", "李雷", "0755-82251234", "18826480174"),
    ("GD-SG", "共青团韶关市委员会", PROVINCE_CODE, LeagueLevel.CITY, "韶关市", "浈江区", "邓伟", "0751-8872345", "13719765432"),
    # A district org: its demand's overdue review is escalated to the Shenzhen city org.
    ("GD-SZ-NS", "共青团深圳市南山区委员会", "GD-SZ", LeagueLevel.DISTRICT, "深圳市", "南山区", "王芳", "0755-26651234", "13823196655"),
]  # fmt: skip

VOLUNTEER_ORGS = [
    {
        "code": "GD-V-SZ-YOUTH",
        "name": "深圳市青年志愿者协会",
        "city": "深圳市",
        "service_areas": [
            ServiceArea.CARE_FOR_MINORS,
            ServiceArea.CULTURE_SPORTS,
            ServiceArea.PSYCHOLOGICAL_HEALTH,
        ],
        "service_objects": [ServiceObject.TEENAGERS, ServiceObject.INFANTS],
        "volunteer_count": 320,
        "contact_name": "林志强",
        "contact_mobile": "13760012345",
        "intro": "在民政部门登记的枢纽型志愿服务组织，长期开展关爱未成年人、社区文体和心理健康志愿服务。",
    },
    {
        "code": "GD-V-GZ-CARE",
        "name": "广州市穗青关爱未成年人志愿服务中心",
        "city": "广州市",
        "service_areas": [ServiceArea.CARE_FOR_MINORS, ServiceArea.CULTURE_SPORTS],
        "service_objects": [ServiceObject.TEENAGERS],
        "volunteer_count": 86,
        "contact_name": "周敏",
        "contact_mobile": "13926041589",
        "intro": "扎根广州各区社区，为外来务工人员子女、留守儿童提供课业辅导、兴趣课堂和安全教育。",
    },
    {
        "code": "GD-V-SG-NANXIONG",
        "name": "南雄市志愿者联合会",
        "city": "韶关市",
        "service_areas": [
            ServiceArea.POVERTY_ALLEVIATION,
            ServiceArea.ELDERLY_SERVICE,
            ServiceArea.CARE_FOR_MINORS,
        ],
        "service_objects": [
            ServiceObject.TEENAGERS,
            ServiceObject.ELDERLY_ALONE,
            ServiceObject.EXTREME_POVERTY,
        ],
        "volunteer_count": 158,
        "contact_name": "邓丽华",
        "contact_mobile": "13692812345",
        "intro": "南雄市各镇街志愿服务队的联合会，开展乡村振兴、助老和留守儿童关爱志愿服务。",
    },
    {
        # A campus team may claim only with a registered org's endorsement (背书).
        "code": "GD-V-SZU-TEACH",
        "name": "深圳大学青年云支教志愿服务队",
        "endorsed_by": "GD-V-SZ-YOUTH",
        "city": "深圳市",
        "service_areas": [ServiceArea.CARE_FOR_MINORS, ServiceArea.OTHER],
        "service_objects": [ServiceObject.TEENAGERS],
        "volunteer_count": 45,
        "contact_name": "张晨",
        "contact_mobile": "15012345678",
        "intro": "由深圳大学在校学生组成的线上支教团队，为乡村和随迁子女学生提供语数英线上辅导。",
    },
]

ACCOUNTS = [
    # username, display name, role, org code (None: an individual without an org)
    ("admin_gd", "团省委管理员", Role.PROVINCIAL_ADMIN, PROVINCE_CODE),
    ("reviewer_sz", "李雷", Role.LEAGUE_REVIEWER, "GD-SZ"),
    ("reviewer_gz", "陈晓红", Role.LEAGUE_REVIEWER, "GD-GZ"),
    ("reviewer_ns", "王芳", Role.LEAGUE_REVIEWER, "GD-SZ-NS"),
    (IMPORTED_ACCOUNT, "共青团韶关市委员会", Role.LEAGUE_REVIEWER, "GD-SG"),
    ("org_sz_youth", "林志强", Role.ORG_OPERATOR, "GD-V-SZ-YOUTH"),
    ("org_gz_care", "周敏", Role.ORG_OPERATOR, "GD-V-GZ-CARE"),
    ("org_sg_nanxiong", "邓丽华", Role.ORG_OPERATOR, "GD-V-SG-NANXIONG"),
    ("org_szu_teach", "张晨", Role.ORG_OPERATOR, "GD-V-SZU-TEACH"),
    ("individual_demo", "赵雷", None, None),
]
REVIEWER_OF = {"GD-SZ": "reviewer_sz", "GD-GZ": "reviewer_gz", "GD-SZ-NS": "reviewer_ns"}
OPERATOR_OF = {code: username for username, _, role, code in ACCOUNTS if role == Role.ORG_OPERATOR}

# Initial demands, all from individual_demo to the Shenzhen league org. `submitted` and the
# decision's day are days ago, so an adopted one predates the demand that links it.
INITIAL_DEMANDS = [
    {
        "key": "ordinary_adopted",
        "kind": InitialDemandKind.ORDINARY,
        "submitted": 11,
        "data": {
            "title": "孩子放假无人看护，希望有志愿者陪伴学习",
            "description": "我和爱人都在东门商圈上班，孩子读二年级，放假后白天一个人在家，"
            "希望有志愿者能陪伴孩子完成假期作业。",
            "contact_name": "赵雷",
            "contact_mobile": "18565271234",
        },
        "decision": ("adopt", 10, "已电话核实，与东门街道其他家庭的需求合并发布。"),
    },
    {
        "key": "cloud_adopted",
        "kind": InitialDemandKind.CLOUD_TEACHING,
        "submitted": 17,
        "data": {
            "title": "【乡村云支教】我需要补习英语",
            "description": "孩子英语基础薄弱，希望有老师线上辅导。",
            "contact_name": "赵雷",
            "contact_mobile": "18565271234",
        },
        "student": {
            "name": "赵小二",
            "gender": "male",
            "grade": "primary_3",
            "school": "深圳市罗湖区李村小学",
            "city": "深圳市",
            "address": "深圳市罗湖区东门街道李村小学",
            "courses": [{"course": "english", "score": 44}, {"course": "math", "score": 76}],
            "interests": ["painting", "chess"],
            "remarks": "周一至周五晚上七点后有空，家里有电脑可以上网课。",
        },
        "decision": ("adopt", 16, "已核实学生情况，发布为云支教需求。"),
    },
    {
        "key": "cloud_pending",
        "kind": InitialDemandKind.CLOUD_TEACHING,
        "submitted": 2,
        "data": {
            "title": "【乡村云支教】我想补习数学",
            "description": "",
            "contact_name": "王雷",
            "contact_mobile": "13590412345",
        },
        "student": {
            "name": "王小雨",
            "gender": "female",
            "grade": "primary_5",
            "school": "深圳市宝安区石岩小学",
            "city": "深圳市",
            "address": "深圳市宝安区石岩街道石岩小学",
            "courses": [{"course": "math", "score": 58}, {"course": "chinese", "score": 81}],
            "interests": ["dance", "recitation"],
            "remarks": "应用题和分数计算比较吃力。",
        },
    },
    {
        "key": "ordinary_pending",
        "kind": InitialDemandKind.ORDINARY,
        "submitted": 1,
        "data": {
            "title": "小区独居老人需要志愿者定期上门探访",
            "description": "我们小区有三位独居老人，子女在外地工作，希望有志愿者每周上门聊天、"
            "帮忙检查用电用气安全。",
            "contact_name": "赵雷",
            "contact_mobile": "18565271234",
        },
    },
    {
        "key": "ordinary_declined",
        "kind": InitialDemandKind.ORDINARY,
        "submitted": 6,
        "data": {
            "title": "希望有志愿者帮忙搬家",
            "description": "下周末从罗湖搬到龙岗，东西比较多，希望有志愿者帮忙搬运。",
            "contact_name": "赵雷",
            "contact_mobile": "18565271234",
        },
        "decision": (
            "decline",
            5,
            "搬家属于有偿家政服务，不在志愿服务范围内，建议联系社区家政服务站。",
        ),
    },
    {
        "key": "cloud_declined",
        "kind": InitialDemandKind.CLOUD_TEACHING,
        "submitted": 9,
        "data": {
            "title": "【云支教】想请老师辅导高中物理竞赛",
            "description": "",
            "contact_name": "刘芳",
            "contact_mobile": "13714561234",
        },
        "student": {
            "name": "刘子航",
            "gender": "male",
            "grade": "senior_2",
            "school": "深圳市龙岗区平冈中学",
            "city": "深圳市",
            "address": "深圳市龙岗区平冈中学",
            "courses": [{"course": "physics", "score": 118}],
            "interests": ["robotics"],
            "remarks": "准备参加明年的物理竞赛。",
        },
        "decision": ("decline", 8, "竞赛培训超出云支教学业帮扶范围，建议向学校竞赛辅导老师咨询。"),
    },
]

# Demands. `days_ago`: when it was created (and published unless `publish` is False);
# `period`: start and end as days from today; `events`: (hours after publication, action, ...)
# run in order, each at its own moment in the past so that feeds, "as of yesterday"
# statistics and overdue reviews look lived-in.
DEMANDS = [
    # -- 七彩假期 --------------------------------------------------------------------------
    {
        "league": "GD-SZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 1,
        "publish": False,  # step 1 saved, contact details still to fill in
        "title": "【七彩假期】招募假期交通安全课志愿讲师",
        "type": ServiceArea.CULTURE_SPORTS,
        "volunteers_needed": 4,
        "content": "计划在假期为辖区小学生开设4节交通安全课，需要熟悉交通法规的志愿者担任讲师。",
        "period": (10, 40),
        "guarantees": ["meals", "insurance"],
        "city": "深圳市",
        "district": "福田区",
        "contact": None,
    },
    {
        "league": "GD-SZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 8,
        "title": "【七彩假期】陪伴外来务工人员子女度过假期",
        "initial_demands": ["ordinary_adopted"],
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 10,
        "content": "罗湖区东门街道约30名外来务工人员子女假期无人看护，需要志愿者每周三次陪伴孩子"
        "完成假期作业，并开展阅读和手工活动。",
        "period": (-5, 50),
        "guarantees": ["meals", "transport_subsidy"],
        "city": "深圳市",
        "district": "罗湖区",
        "contact": ("李雷", "0755-82251234", "18826480174"),
        "events": [
            (20, "claim", "GD-V-SG-NANXIONG"),
            (30, "reject", "GD-V-SG-NANXIONG", "服务地点在深圳罗湖，贵组织在韶关南雄，往返距离较远，建议认领本地需求。"),
            # Requested more than REVIEW_OVERDUE_DAYS ago: shows up as an overdue review.
            (60, "claim", "GD-V-SZ-YOUTH"),
        ],
    },
    {
        "league": "GD-GZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 3,
        "title": "【七彩假期】为社区儿童开设假期书法绘画兴趣班",
        "type": ServiceArea.CULTURE_SPORTS,
        "volunteers_needed": 6,
        "content": "天河区棠下社区有40余名小学生报名假期兴趣班，需要擅长书法、绘画的志愿者每周末"
        "授课两次，社区提供教室和教具。",
        "period": (7, 60),
        "guarantees": ["meals"],
        "city": "广州市",
        "district": "天河区",
        "contact": ("陈晓红", "020-38861234", "13926041588"),
        "events": [
            (4, "claim", "GD-V-SG-NANXIONG"),
            (10, "withdraw", "GD-V-SG-NANXIONG", "假期志愿者行程冲突，无法保障每周授课，主动撤销认领。"),
            (24, "claim", "GD-V-GZ-CARE"),
            (30, "claim", "GD-V-SZU-TEACH"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 6,
        "title": "【七彩假期】招募8名志愿者开展防溺水安全教育",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 8,
        "content": "假期是溺水事故高发期，需要志愿者走进南山区5个社区，为孩子们讲解防溺水知识"
        "并开展情景演练。",
        "period": (3, 30),
        "guarantees": ["meals", "insurance"],
        "city": "深圳市",
        "district": "南山区",
        "contact": ("王芳", "0755-26651234", "18826480175"),
        "events": [
            (5, "claim", "GD-V-SZ-YOUTH"),
            (8, "claim", "GD-V-GZ-CARE"),
            (28, "approve", "GD-V-SZ-YOUTH"),
        ],
    },
    {
        "league": "GD-GZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 12,
        "title": "【七彩假期】假期非遗剪纸体验营招募志愿者",
        "type": ServiceArea.CULTURE_SPORTS,
        "volunteers_needed": 5,
        "content": "越秀区青少年宫举办非遗剪纸体验营，需要志愿者协助老师指导孩子剪纸、维持秩序"
        "并拍照记录。",
        "period": (-8, 20),
        "guarantees": ["meals"],
        "city": "广州市",
        "district": "越秀区",
        "contact": ("陈晓红", "020-83862345", "13926041588"),
        "activity": {
            "title": "【七彩假期】非遗剪纸体验营志愿服务",
            "category": "culture_sports",
            "address": "广州市越秀区解放北路青少年宫三楼",
            "longitude": Decimal("113.264385"),
            "latitude": Decimal("23.129112"),
            "description": "协助非遗传承人老师指导孩子们完成剪纸作品，维持课堂秩序并拍照记录。",
            "service_content": "剪纸教学协助、秩序维护、摄影记录",
            "start_after_hours": 24,
            "duration_hours": 8,
        },
        "events": [
            (6, "claim", "GD-V-GZ-CARE"),
            (24, "approve", "GD-V-GZ-CARE"),
            (48, "activity", "GD-V-GZ-CARE"),
            (150, "rate_league", "GD-V-GZ-CARE", 5, "志愿者准备充分，孩子们很喜欢剪纸课。"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 20,
        "title": "【七彩假期】关爱留守儿童假期陪伴计划",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 12,
        "content": "龙岗区坪地街道有20余名留守儿童假期跟随祖辈生活，需要志愿者开展为期两周的课业"
        "辅导、心理陪伴和安全教育。",
        "period": (-18, 5),
        "guarantees": ["meals", "transport_subsidy", "insurance"],
        "city": "深圳市",
        "district": "龙岗区",
        "contact": ("李雷", "0755-82251234", "18826480174"),
        "activity": {
            "title": "【七彩假期】坪地街道留守儿童假期陪伴",
            "category": "education",
            "address": "深圳市龙岗区坪地街道坪西社区党群服务中心",
            "longitude": Decimal("114.310523"),
            "latitude": Decimal("22.768721"),
            "description": "为期两周的假期陪伴：上午课业辅导，下午阅读、游戏和安全教育。",
            "service_content": "课业辅导、心理陪伴、防溺水和交通安全教育",
            "start_after_hours": 24,
            "duration_hours": 300,
        },
        "events": [
            (3, "claim", "GD-V-SZ-YOUTH"),
            (20, "approve", "GD-V-SZ-YOUTH"),
            (44, "activity", "GD-V-SZ-YOUTH"),
            (400, "rate_league", "GD-V-SZ-YOUTH", 5, "志愿者认真负责，家长和孩子都很满意。"),
            (410, "rate_volunteer", "GD-V-SZ-YOUTH", 4, "团组织对接顺畅，场地和餐饮保障到位。"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 10,
        "title": "【七彩假期】周末亲子环保徒步活动招募志愿者",
        "type": ServiceArea.ENVIRONMENTAL_PROTECTION,
        "volunteers_needed": 6,
        "content": "组织30组亲子家庭沿大沙河徒步并捡拾垃圾，需要志愿者担任领队并讲解垃圾分类知识。",
        "period": (-3, 25),
        "guarantees": ["meals"],
        "city": "深圳市",
        "district": "南山区",
        "contact": ("王芳", "0755-26651234", "18826480175"),
        "events": [
            (10, "claim", "GD-V-SZU-TEACH"),
            (50, "close", "大沙河步道施工封闭，活动取消。"),
        ],
    },
    {
        "league": "GD-GZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 40,
        "expires": True,  # its period ended unclaimed; demand_expire_due() expires it
        "title": "【七彩假期】招募志愿者辅导社区儿童假期阅读",
        "type": ServiceArea.CULTURE_SPORTS,
        "volunteers_needed": 4,
        "content": "海珠区南华西街社区图书室假期开放，需要志愿者每周两次带领孩子共读绘本。",
        "period": (-38, -10),
        "guarantees": [],
        "city": "广州市",
        "district": "海珠区",
        "contact": ("陈晓红", "020-83862345", "13926041588"),
    },
    # Deadlines (docs/deadlines.md). A district's review left open past REVIEW_ESCALATE_DAYS
    # is escalated to the city (reviewer_sz may decide it); `escalate` and `lapse` run their
    # service at the moment the deadline falls, whatever their hours say.
    {
        "league": "GD-SZ-NS",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 10,
        "title": "【七彩假期】招募志愿者协助社区假期托管班",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 5,
        "content": "南山区粤海街道社区假期托管班有30名小学生，需要志愿者每天下午协助看护、辅导作业"
        "并组织游戏活动。",
        "period": (-8, 45),
        "guarantees": ["meals"],
        "city": "深圳市",
        "district": "南山区",
        "contact": ("王芳", "0755-26651234", "13823196655"),
        "events": [
            (2, "claim", "GD-V-SZU-TEACH"),
            (170, "escalate", "GD-V-SZU-TEACH"),
        ],
    },
    # An approved claimer that published no activity in time: 认领失效, the demand open again.
    {
        "league": "GD-GZ",
        "zone": Zone.COLORFUL_HOLIDAY,
        "days_ago": 14,
        "title": "【七彩假期】招募志愿者开展假期科普实验课",
        "type": ServiceArea.CULTURE_SPORTS,
        "volunteers_needed": 4,
        "content": "海珠区南石头街道青少年活动中心计划假期开设6次趣味科普实验课，需要理工科背景的"
        "志愿者设计并带领实验。",
        "period": (-12, 45),
        "guarantees": ["meals", "insurance"],
        "city": "广州市",
        "district": "海珠区",
        "contact": ("陈晓红", "020-83862345", "13926041588"),
        "events": [
            (3, "claim", "GD-V-GZ-CARE"),
            (20, "approve", "GD-V-GZ-CARE"),
            (190, "lapse", "GD-V-GZ-CARE"),
        ],
    },
    # -- 青年云支教 -------------------------------------------------------------------------
    {
        "league": "GD-GZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 2,
        "publish": False,
        "title": "【乡村云支教】招募英语口语陪练志愿者",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 5,
        "content": "从化区吕田镇中学初一学生英语口语薄弱，希望志愿者每周两次线上陪练，每次40分钟。",
        "period": (14, 75),
        "guarantees": [],
        "city": "广州市",
        "district": "从化区",
        "contact": None,
    },
    {
        "league": "GD-GZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 7,
        "title": "【云支教】为从化山区初二学生在线辅导物理",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 3,
        "content": "从化区良口镇中学12名初二学生物理基础薄弱，需要具备物理教学经验的志愿者每周"
        "线上辅导两次。",
        "period": (-2, 60),
        "guarantees": [],
        "city": "广州市",
        "district": "从化区",
        "contact": ("陈晓红", "020-83862345", "13926041588"),
        "events": [
            (8, "claim", "GD-V-SZ-YOUTH"),
            (26, "reject", "GD-V-SZ-YOUTH", "本需求要求志愿者具备初中物理教学经验，请补充志愿者资质说明后再认领。"),
            (100, "claim", "GD-V-SZU-TEACH"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 4,
        "title": "【云支教】需要为15位小朋友补习数学课程",
        "type": ServiceArea.OTHER,
        "type_other": "线上学业辅导",
        "volunteers_needed": 8,
        "content": "需要招募8位数学老师为李村小学15位小朋友在线辅导数学，他们上学期数学成绩中等"
        "偏下，解方程是弱项。",
        "period": (3, 63),
        "guarantees": [],
        "city": "深圳市",
        "district": "罗湖区",
        "contact": ("李雷", "0755-82251234", "18826480174"),
        "events": [
            (6, "claim", "GD-V-SZU-TEACH"),
            (22, "claim", "GD-V-GZ-CARE"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 9,
        "title": "【云支教】为宝安区随迁子女开设线上英语阅读课",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 4,
        "content": "宝安区石岩街道约20名随迁子女英语阅读能力较弱，需要志愿者每周两晚线上带读英语"
        "绘本。",
        "period": (-7, 80),
        "guarantees": ["transport_subsidy"],
        "city": "深圳市",
        "district": "宝安区",
        "contact": ("王芳", "0755-26651234", "18826480175"),
        "events": [
            (5, "claim", "GD-V-SG-NANXIONG"),
            (20, "approve", "GD-V-SG-NANXIONG"),
            # Withdrawn after approval but before any activity: the demand reopens.
            (70, "withdraw", "GD-V-SG-NANXIONG", "原定授课的志愿者开学返校，无法保证线上授课时间，撤销认领。"),
            (90, "claim", "GD-V-SZU-TEACH"),
            (120, "approve", "GD-V-SZU-TEACH"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 14,
        "title": "【云支教】为李村小学三年级学生辅导英语和数学",
        "initial_demands": ["cloud_adopted"],
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 2,
        "content": "李村小学三年级学生上学期英语44分、数学76分，家长希望志愿者每周线上辅导英语两次，"
        "兼顾数学练习。",
        "period": (-12, 45),
        "guarantees": [],
        "city": "深圳市",
        "district": "罗湖区",
        "contact": ("李雷", "0755-82251234", "18826480174"),
        "activity": {
            "title": "【云支教】李村小学英语数学线上辅导",
            "category": "education",
            "address": "深圳市罗湖区东门街道李村小学（腾讯会议线上授课）",
            "description": "每周二、四晚上线上辅导英语，每次课后布置10道数学练习并讲评。",
            "service_content": "英语线上辅导、数学练习讲评",
            "start_after_hours": 24,
            "duration_hours": 2,
        },
        "events": [
            (5, "claim", "GD-V-SZU-TEACH"),
            (24, "approve", "GD-V-SZU-TEACH"),
            (30, "activity", "GD-V-SZU-TEACH"),
            (200, "rate_volunteer", "GD-V-SZU-TEACH", 5, "团委老师对接及时，学生和家长配合很好。"),
        ],
    },
    {
        "league": "GD-GZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 25,
        "title": "【云支教】为留守儿童开设线上书法与绘画课",
        "type": ServiceArea.CULTURE_SPORTS,
        "volunteers_needed": 4,
        "content": "从化区鳌头镇中心小学留守儿童较多，学校缺少美术老师，希望志愿者每周线上教授书法"
        "和绘画各一节。",
        "period": (-23, 7),
        "guarantees": [],
        "city": "广州市",
        "district": "从化区",
        "contact": ("陈晓红", "020-83862345", "13926041588"),
        "activity": {
            "title": "【云支教】鳌头镇中心小学线上书画课",
            "category": "education",
            "address": "广州市从化区鳌头镇中心小学（线上授课）",
            "description": "每周三下午线上书法课、周五下午线上绘画课，共八节。",
            "service_content": "书法、绘画线上教学",
            "start_after_hours": 24,
            "duration_hours": 384,
        },
        "events": [
            (4, "claim", "GD-V-GZ-CARE"),
            (22, "approve", "GD-V-GZ-CARE"),
            (46, "activity", "GD-V-GZ-CARE"),
            (500, "rate_league", "GD-V-GZ-CARE", 4, "课程安排合理，孩子们的作品进步明显。"),
            (520, "rate_volunteer", "GD-V-GZ-CARE", 5, "学校配合积极，设备调试及时。"),
        ],
    },
    {
        "league": "GD-GZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 5,
        "title": "【云支教】初三化学中考冲刺线上答疑",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 2,
        "content": "花都区炭步镇中学初三学生需要化学中考冲刺答疑，每周两晚线上集中答疑一小时。",
        "period": (0, 30),
        "guarantees": [],
        "city": "广州市",
        "district": "花都区",
        "contact": ("陈晓红", "020-83862345", "13926041588"),
        "events": [
            (30, "close", "学校已安排本校教师开展中考辅导，需求取消。"),
        ],
    },
    {
        "league": "GD-SZ",
        "zone": Zone.CLOUD_TEACHING,
        "days_ago": 13,
        "title": "【云支教】为河源山区小学生在线开设编程启蒙课",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 2,
        "content": "对口帮扶的河源市和平县小学希望志愿者每周线上讲授一次图形化编程启蒙课，学校提供"
        "机房和网络。",
        "period": (-10, 50),
        "guarantees": [],
        "city": "深圳市",
        "district": "福田区",
        "contact": ("李雷", "0755-82251234", "18826480174"),
        "events": [
            (5, "claim", "GD-V-SZ-YOUTH"),
            (28, "approve", "GD-V-SZ-YOUTH"),
            (200, "lapse", "GD-V-SZ-YOUTH"),
        ],
    },
]  # fmt: skip


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


class Command(BaseCommand):
    help = (
        "Create demo orgs, accounts, initial demands, demands and claims in every state of "
        "both zones, through the domain services. Idempotent: a second run creates nothing."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG and not settings.ALLOW_DEMO_DATA:
            # The demo accounts' passwords are printed below and known to anyone who read them.
            raise CommandError(
                "seed_demo creates accounts with known passwords and is refused with DEBUG off. "
                "Run it with the development settings, or set ALLOW_DEMO_DATA=1 on a demo site "
                "(never on production)."
            )
        if LeagueOrg.objects.filter(code=PROVINCE_CODE).exists():
            self.stdout.write(
                f"Demo data already exist (league org {PROVINCE_CODE} is present); "
                "nothing was created."
            )
        else:
            try:
                # Dev-only dependency: the demo's history is recorded at past moments.
                import time_machine
            except ImportError as exc:
                raise CommandError("seed_demo needs time-machine (pip install -e .[dev])") from exc
            with transaction.atomic():
                counts = _Seeder(time_machine).run()
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo data created: {demands} demands, {claims} claims, "
                    "{initial} initial demands.".format(**counts)
                )
            )
        self._print_logins()

    def _print_logins(self):
        names = {code: name for code, name, *_ in LEAGUE_ORGS} | {
            org["code"]: org["name"] for org in VOLUNTEER_ORGS
        }
        initial = settings.PLATFORM["INITIAL_PASSWORD"]
        rows = [("username", "password", "role", "org")]
        for username, _, role, code in ACCOUNTS:
            rows.append(
                (
                    username,
                    initial if username == IMPORTED_ACCOUNT else DEMO_PASSWORD,
                    str(role.label) if role else "个人用户",
                    names.get(code, "—"),
                )
            )
        widths = [max(_display_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for row in rows:
            self.stdout.write(
                "  " + "  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
        imported = User.objects.filter(username=IMPORTED_ACCOUNT).first()
        if imported is None or imported.must_change_password:
            self.stdout.write(
                f"{IMPORTED_ACCOUNT} is an imported 智慧团建 account: it must change its "
                f"initial password {initial} at first login."
            )
        else:
            self.stdout.write(f"{IMPORTED_ACCOUNT} has already changed its initial password.")


class _Seeder:
    """One seeding run: orgs and accounts, then each story through the services."""

    def __init__(self, time_machine):
        self.time_machine = time_machine
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        # Stories start in office hours, N days before today.
        self.morning = timezone.localtime(self.now).replace(
            hour=9, minute=30, second=0, microsecond=0
        )
        self.cities = {c.name: c for c in City.objects.all()}
        self.league: dict[str, LeagueOrg] = {}
        self.volunteer: dict[str, VolunteerOrg] = {}
        self.users: dict[str, User] = {}
        self.initial: dict[str, InitialDemand] = {}

    @contextmanager
    def at(self, when: datetime.datetime):
        # Never in the future: the demo must look like history that already happened.
        with self.time_machine.travel(min(when, self.now), tick=False):
            yield

    def days_ago(self, days: float) -> datetime.datetime:
        return self.morning - datetime.timedelta(days=days)

    def run(self) -> dict:
        self.seed_orgs()
        self.seed_accounts()
        for spec in INITIAL_DEMANDS:
            self.seed_initial_demand(spec)
        demands = [self.seed_demand(spec) for spec in DEMANDS]
        expected = {d.pk for d, spec in zip(demands, DEMANDS, strict=True) if spec.get("expires")}
        expired = set(demand_services.demand_expire_due())
        if not expected <= expired:
            raise CommandError(f"demo demands {sorted(expected - expired)} did not expire")
        return {
            "demands": len(demands),
            "claims": Claim.objects.filter(demand__in=demands).count(),
            "initial": len(self.initial),
        }

    # -- orgs and accounts -----------------------------------------------------------------

    def seed_orgs(self):
        for code, name, parent, level, city, district, contact, landline, mobile in LEAGUE_ORGS:
            self.league[code], _ = LeagueOrg.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": self.league.get(parent),
                    "level": level,
                    "city": self.cities.get(city),
                    "district": district,
                    "contact_name": contact,
                    "contact_landline": landline,
                    "contact_mobile": mobile,
                },
            )
        for spec in VOLUNTEER_ORGS:
            values = dict(spec)
            code = values.pop("code")
            endorser = values.pop("endorsed_by", None)
            values["city"] = self.cities[values["city"]]
            if endorser:
                values["endorsed_by"] = self.volunteer[endorser]
                values["registration"] = Registration.ENDORSED
            org, _ = VolunteerOrg.objects.get_or_create(code=code, defaults=values)
            if org.profile_missing():
                raise CommandError(f"{code} has an incomplete profile: {org.profile_missing()}")
            self.volunteer[code] = org

    def seed_accounts(self):
        for username, display_name, role, code in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": display_name,
                    "is_staff": role == Role.PROVINCIAL_ADMIN,
                },
            )
            if created:
                imported = username == IMPORTED_ACCOUNT
                user.set_password(
                    settings.PLATFORM["INITIAL_PASSWORD"] if imported else DEMO_PASSWORD
                )
                user.must_change_password = imported
                user.save(update_fields=["password", "must_change_password"])
            if role == Role.ORG_OPERATOR:
                Membership.objects.get_or_create(
                    user=user, role=role, volunteer_org=self.volunteer[code]
                )
            elif role is not None:
                Membership.objects.get_or_create(user=user, role=role, league_org=self.league[code])
            self.users[username] = user

    def reviewer(self, league_code: str) -> User:
        return self.users[REVIEWER_OF[league_code]]

    def operator(self, org_code: str) -> User:
        return self.users[OPERATOR_OF[org_code]]

    # -- initial demands -------------------------------------------------------------------

    def seed_initial_demand(self, spec: dict):
        student = None
        if "student" in spec:
            student = dict(spec["student"], city=self.cities[spec["student"]["city"]])
        with self.at(self.days_ago(spec["submitted"])):
            initial = demand_services.initial_demand_submit(
                actor=self.users["individual_demo"],
                league_org=self.league["GD-SZ"],
                kind=spec["kind"],
                data=spec["data"],
                student=student,
                verify_mobile=False,
            )
        if "decision" in spec:
            action, days, reason = spec["decision"]
            decide = getattr(demand_services, f"initial_demand_{action}")
            with self.at(self.days_ago(days)):
                initial = decide(
                    initial_demand=initial, actor=self.reviewer("GD-SZ"), reason=reason
                )
        self.initial[spec["key"]] = initial

    # -- demands and claims ----------------------------------------------------------------

    def seed_demand(self, spec: dict) -> Demand:
        reviewer = self.reviewer(spec["league"])
        start, end = spec["period"]
        data = {
            "zone": spec["zone"],
            "title": spec["title"],
            "type": spec["type"],
            "type_other": spec.get("type_other", ""),
            "volunteers_needed": spec["volunteers_needed"],
            "content": spec["content"],
            "start_date": self.today + datetime.timedelta(days=start),
            "end_date": self.today + datetime.timedelta(days=end),
            "guarantees": spec["guarantees"],
            "city": self.cities[spec["city"]],
            "district": spec["district"],
        }
        if spec["contact"]:
            name, landline, mobile = spec["contact"]
            data |= {"contact_name": name, "contact_landline": landline, "contact_mobile": mobile}
        if spec.get("initial_demands"):
            data["initial_demands"] = [self.initial[key] for key in spec["initial_demands"]]
        published_at = self.days_ago(spec["days_ago"])
        with self.at(published_at):
            # Demo data has no phone to receive a code: a trusted caller skips verification.
            demand = demand_services.demand_create(
                actor=reviewer,
                league_org=self.league[spec["league"]],
                data=data,
                verify_mobile=False,
            )
            if spec.get("publish", True):
                demand = demand_services.demand_publish(demand=demand, actor=reviewer)

        claims: dict[str, Claim] = {}
        for hours, action, *args in spec.get("events", []):
            with self.at(published_at + datetime.timedelta(hours=hours)):
                demand = self.run_event(demand, spec, claims, reviewer, action, *args)
        return demand

    def run_event(self, demand, spec, claims, reviewer, action, *args) -> Demand:
        if action == "close":
            return demand_services.demand_close(demand=demand, actor=reviewer, reason=args[0])
        org_code, *rest = args
        operator = self.operator(org_code)
        if action == "claim":
            claims[org_code] = claim_services.claim_request(
                demand=demand, org=self.volunteer[org_code], actor=operator
            )
        elif action == "approve":
            claim_services.claim_approve(claim=claims[org_code], actor=reviewer)
        elif action == "reject":
            claim_services.claim_reject(claim=claims[org_code], actor=reviewer, reason=rest[0])
        elif action == "withdraw":
            claim_services.claim_withdraw(claim=claims[org_code], actor=operator, reason=rest[0])
        elif action == "activity":
            claim_services.activity_publish(
                claim=claims[org_code], actor=operator, data=self.activity_data(spec, org_code)
            )
        elif action == "escalate":
            # The sweep's service, at the moment the first level falls due.
            claim = claims[org_code]
            with self.at(deadlines.escalation_at(claim.created_at, 1)):
                if not claim_services.claim_escalate(claim=claim):
                    raise CommandError(f"demo claim {claim.pk} was not escalated")
        elif action == "lapse":
            claim = Claim.objects.get(pk=claims[org_code].pk)
            with self.at(claim.activity_due_at):
                if not claim_services.claim_lapse(claim=claim):
                    raise CommandError(f"demo claim {claim.pk} did not lapse")
        elif action in ("rate_league", "rate_volunteer"):
            stars, comment = rest
            rater = reviewer if action == "rate_league" else operator
            scoring_services.rating_submit(
                claim=claims[org_code], actor=rater, stars=stars, comment=comment
            )
        else:
            raise CommandError(f"unknown demo event {action!r}")
        return Demand.objects.get(pk=demand.pk)

    def activity_data(self, spec: dict, org_code: str) -> dict:
        activity = dict(spec["activity"])
        now = timezone.now()  # the travelled-to moment of publication
        start_at = now + datetime.timedelta(hours=activity.pop("start_after_hours"))
        end_at = start_at + datetime.timedelta(hours=activity.pop("duration_hours"))
        online = spec["zone"] == Zone.CLOUD_TEACHING
        org = self.volunteer[org_code]
        return {
            "attendance_method": "qr_code" if online else "qr_or_card",
            "activity_type": "volunteer_service",
            "recruit_count": spec["volunteers_needed"],
            "contact_name": org.contact_name,
            "contact_phone": org.contact_mobile,
            "recruit_start_at": now,
            "start_at": start_at,
            "end_at": end_at,
            "checkin_radius_km": Decimal("0") if online else Decimal("3"),
            "signup_scope": "org_members" if online else "all",
            "suitability": [] if online else ["students"],
            "service_objects": [ServiceObject.TEENAGERS],
            "guarantees": spec["guarantees"],
            "certificate_consent": True,
            **activity,
        }
