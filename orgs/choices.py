"""Code lists shared by organizations, demands and activities (codes as in DESIGN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceArea(models.TextChoices):
    """Service areas of an org; the same codes are the demand types."""

    PSYCHOLOGICAL_HEALTH = "psychological_health", _("心理健康")
    ENVIRONMENTAL_PROTECTION = "environmental_protection", _("环境保护")
    CULTURE_SPORTS = "culture_sports", _("文化体育")
    MEDICAL_AID = "medical_aid", _("恤病助医")
    DRUG_AIDS_PREVENTION = "drug_aids_prevention", _("禁毒防艾")
    CARE_FOR_MINORS = "care_for_minors", _("关爱未成年人")
    DISABILITY_SERVICE = "disability_service", _("助残服务")
    ELDERLY_SERVICE = "elderly_service", _("助老服务")
    LEGAL_EDUCATION = "legal_education", _("法治宣传")
    POVERTY_ALLEVIATION = "poverty_alleviation", _("脱贫攻坚")
    OTHER = "other", _("其他")


class ServiceObject(models.TextChoices):
    TEENAGERS = "teenagers", _("青少年")
    INFANTS = "infants", _("婴幼儿")
    ELDERLY_ALONE = "elderly_alone", _("孤寡老人")
    DISABLED = "disabled", _("残障人士")
    EXTREME_POVERTY = "extreme_poverty", _("特困群体")
    OTHER = "other", _("其它")


class LeagueLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区县级")
    STREET = "street", _("街道/乡镇")
    BRANCH = "branch", _("基层团支部")


class Registration(models.TextChoices):
    REGISTERED = "registered", _("民政部门备案")
    ENDORSED = "endorsed", _("已备案组织背书")


class Role(models.TextChoices):
    LEAGUE_REVIEWER = "league_reviewer", _("团组织审核员")
    ORG_OPERATOR = "org_operator", _("志愿服务组织管理员")
    PROVINCIAL_ADMIN = "provincial_admin", _("团省委管理员")


# Guangdong's 21 prefecture-level cities with their administrative division codes.
GUANGDONG_CITIES = [
    ("440100", "广州市"),
    ("440200", "韶关市"),
    ("440300", "深圳市"),
    ("440400", "珠海市"),
    ("440500", "汕头市"),
    ("440600", "佛山市"),
    ("440700", "江门市"),
    ("440800", "湛江市"),
    ("440900", "茂名市"),
    ("441200", "肇庆市"),
    ("441300", "惠州市"),
    ("441400", "梅州市"),
    ("441500", "汕尾市"),
    ("441600", "河源市"),
    ("441700", "阳江市"),
    ("441800", "清远市"),
    ("441900", "东莞市"),
    ("442000", "中山市"),
    ("445100", "潮州市"),
    ("445200", "揭阳市"),
    ("445300", "云浮市"),
]
