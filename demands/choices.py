"""Code lists of demands and initial demands (codes as in DESIGN.md, labels from the seeds)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.TextChoices):
    COLORFUL_HOLIDAY = "colorful_holiday", _("七彩假期")
    CLOUD_TEACHING = "cloud_teaching", _("青年云支教")
    GENERAL = "general", _("普通")


# A demand's (and an activity's) title starts with one of its zone's prefixes.
ZONE_TITLE_PREFIXES = {
    Zone.COLORFUL_HOLIDAY: ("【七彩假期】",),
    Zone.CLOUD_TEACHING: ("【云支教】", "【乡村云支教】"),
    Zone.GENERAL: (),
}


class Guarantee(models.TextChoices):
    MEALS = "meals", _("餐饮保障")
    TRANSPORT_SUBSIDY = "transport_subsidy", _("交通补贴")
    SHUTTLE = "shuttle", _("车辆接送")
    INSURANCE = "insurance", _("志愿者保险")
    OTHER = "other", _("其他")


class InitialDemandKind(models.TextChoices):
    ORDINARY = "ordinary", _("普通需求")
    CLOUD_TEACHING = "cloud_teaching", _("青年云支教需求")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Grade(models.TextChoices):
    PRIMARY_1 = "primary_1", _("一年级")
    PRIMARY_2 = "primary_2", _("二年级")
    PRIMARY_3 = "primary_3", _("三年级")
    PRIMARY_4 = "primary_4", _("四年级")
    PRIMARY_5 = "primary_5", _("五年级")
    PRIMARY_6 = "primary_6", _("六年级")
    JUNIOR_1 = "junior_1", _("初一")
    JUNIOR_2 = "junior_2", _("初二")
    JUNIOR_3 = "junior_3", _("初三")
    SENIOR_1 = "senior_1", _("高一")
    SENIOR_2 = "senior_2", _("高二")
    SENIOR_3 = "senior_3", _("高三")


class Course(models.TextChoices):
    """Tutoring courses (需所需辅导课程), at most 3, each with last term's score."""

    CHINESE = "chinese", _("语文")
    MATH = "math", _("数学")
    ENGLISH = "english", _("英语")
    HISTORY = "history", _("历史")
    GEOGRAPHY = "geography", _("地理")
    POLITICS = "politics", _("政治")
    BIOLOGY = "biology", _("生物")
    CHEMISTRY = "chemistry", _("化学")
    PHYSICS = "physics", _("物理")


class Interest(models.TextChoices):
    """Other interests (其他课程), at most 3, in the seed form's five categories."""

    PAINTING = "painting", _("绘画")
    CALLIGRAPHY = "calligraphy", _("书法")
    HANDICRAFT = "handicraft", _("手工")
    CHESS = "chess", _("棋类")
    BADMINTON = "badminton", _("羽毛球")
    BASKETBALL = "basketball", _("篮球")
    ROBOTICS = "robotics", _("机器人")
    RUBIKS_CUBE = "rubiks_cube", _("魔方")
    DRONE = "drone", _("无人机")
    RECITATION = "recitation", _("朗诵")
    HOSTING = "hosting", _("主持")
    SPEECH = "speech", _("演讲")
    DANCE = "dance", _("舞蹈")
    SOLO_SINGING = "solo_singing", _("独唱")
    CHORUS = "chorus", _("合唱")


INTEREST_CATEGORIES = {
    _("美术类"): [Interest.PAINTING, Interest.CALLIGRAPHY, Interest.HANDICRAFT],
    _("体育类"): [Interest.CHESS, Interest.BADMINTON, Interest.BASKETBALL],
    _("科技类"): [Interest.ROBOTICS, Interest.RUBIKS_CUBE, Interest.DRONE],
    _("语言类"): [Interest.RECITATION, Interest.HOSTING, Interest.SPEECH],
    _("音舞类"): [Interest.DANCE, Interest.SOLO_SINGING, Interest.CHORUS],
}

MAX_COURSES = 3
MAX_INTERESTS = 3
MAX_SCORE = 150
