"""The `import_orgs` command: create or update orgs and accounts from a CSV, all rows or none."""

import io

import pytest
from django.core.management import CommandError, call_command

from orgs.choices import LeagueLevel, Registration, Role
from orgs.models import LeagueOrg, Membership, User, VolunteerOrg
from orgs.services import user_change_password
from tests import factories as f

HEADER = "kind,code,name,parent_code,city,username"
# Line numbers as the file has them (the header is line 1). The district (line 3) comes
# before its city (line 4), the endorsed org (line 6) before its endorser (line 7).
GOOD_ROWS = [
    "league,GD,共青团广东省委员会,,,gd_league",
    "league,SZ-NS,共青团深圳市南山区委员会,SZ,深圳市,sz_nanshan",
    "league,SZ,共青团深圳市委员会,GD,深圳市,sz_league",
    "league,GZ,共青团广州市委员会,GD,广州市,gz_league",
    "volunteer,V-EN,南山青年志愿服务队,V-REG,深圳市,v_endorsed",
    "volunteer,V-REG,深圳市青年志愿者协会,,深圳市,v_registered",
]
GOOD_CODES = ["GD", "SZ-NS", "SZ", "GZ", "V-EN", "V-REG"]
GOOD_USERNAMES = ["gd_league", "sz_nanshan", "sz_league", "gz_league", "v_endorsed", "v_registered"]


def write_csv(tmp_path, rows, *, header=HEADER, name="orgs.csv", encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_text(newline.join([header, *rows]) + newline, encoding=encoding)
    return path


def run_import(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_orgs", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def db_snapshot():
    return {
        "league": LeagueOrg.objects.count(),
        "volunteer": VolunteerOrg.objects.count(),
        "user": User.objects.count(),
        "membership": Membership.objects.count(),
    }


def updated_at_values():
    return {
        **{f"L:{code}": at for code, at in LeagueOrg.objects.values_list("code", "updated_at")},
        **{f"V:{code}": at for code, at in VolunteerOrg.objects.values_list("code", "updated_at")},
    }


# -- first run -----------------------------------------------------------------------------


def test_first_run_creates_the_tree_the_volunteer_orgs_and_their_accounts(db, tmp_path):
    out, err = run_import(write_csv(tmp_path, GOOD_ROWS))

    assert err == ""
    assert out.strip() == (
        "league orgs: 4 created, 0 updated; volunteer orgs: 2 created, 0 updated; "
        "accounts: 6 created; 0 unchanged"
    )

    gd, sz, nanshan, gz = (LeagueOrg.objects.get(code=c) for c in ("GD", "SZ", "SZ-NS", "GZ"))
    assert (gd.name, gd.parent, gd.level, gd.city) == (
        "共青团广东省委员会",
        None,
        LeagueLevel.PROVINCE,
        None,
    )
    assert (sz.parent, sz.level, sz.city) == (gd, LeagueLevel.CITY, f.city("深圳市"))
    assert (gz.parent, gz.level, gz.city) == (gd, LeagueLevel.CITY, f.city("广州市"))
    assert (nanshan.parent, nanshan.level, nanshan.city) == (
        sz,
        LeagueLevel.DISTRICT,
        f.city("深圳市"),
    )

    registered = VolunteerOrg.objects.get(code="V-REG")
    endorsed = VolunteerOrg.objects.get(code="V-EN")
    assert (registered.registration, registered.endorsed_by) == (Registration.REGISTERED, None)
    assert (endorsed.registration, endorsed.endorsed_by) == (Registration.ENDORSED, registered)
    assert endorsed.name == "南山青年志愿服务队"
    assert endorsed.city == f.city("深圳市")

    assert sorted(User.objects.values_list("username", flat=True)) == sorted(GOOD_USERNAMES)
    for user in User.objects.all():
        assert user.check_password("000000"), user.username
        assert user.must_change_password, user.username
    assert Membership.objects.count() == 6

    expected = {
        "gd_league": (Role.LEAGUE_REVIEWER, gd, None),
        "sz_league": (Role.LEAGUE_REVIEWER, sz, None),
        "sz_nanshan": (Role.LEAGUE_REVIEWER, nanshan, None),
        "gz_league": (Role.LEAGUE_REVIEWER, gz, None),
        "v_registered": (Role.ORG_OPERATOR, None, registered),
        "v_endorsed": (Role.ORG_OPERATOR, None, endorsed),
    }
    for username, (role, league_org, volunteer_org) in expected.items():
        (membership,) = Membership.objects.filter(user__username=username)
        assert (membership.role, membership.league_org, membership.volunteer_org) == (
            role,
            league_org,
            volunteer_org,
        ), username


def test_a_long_org_name_still_fits_the_account_display_name(db, tmp_path):
    name = "共青团广东省深圳市南山区粤海街道" + "科技园" * 15  # 61 characters, ≤ 100 for an org
    run_import(write_csv(tmp_path, [f"league,LONG,{name},,,long_name"]))

    assert LeagueOrg.objects.get(code="LONG").name == name
    user = User.objects.get(username="long_name")
    user.full_clean()  # display_name is at most 50 characters
    assert name.startswith(user.display_name)


# -- re-runs -------------------------------------------------------------------------------


def test_rerun_of_the_same_file_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS)
    run_import(path)
    user = User.objects.get(username="sz_league")
    user_change_password(user=user, old_password="000000", new_password="Shenzhen-2024!")
    before, stamps = db_snapshot(), updated_at_values()
    passwords = dict(User.objects.values_list("username", "password"))

    out, _ = run_import(path)

    assert out.strip() == (
        "league orgs: 0 created, 0 updated; volunteer orgs: 0 created, 0 updated; "
        "accounts: 0 created; 6 unchanged"
    )
    assert db_snapshot() == before
    assert updated_at_values() == stamps
    assert dict(User.objects.values_list("username", "password")) == passwords
    user.refresh_from_db()
    assert user.check_password("Shenzhen-2024!")
    assert not user.check_password("000000")
    assert user.must_change_password is False


def test_an_edited_file_updates_just_the_renamed_org(db, tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))
    before, stamps = db_snapshot(), updated_at_values()
    edited = [
        row.replace("共青团广州市委员会", "共青团广州市委") if row.startswith("league,GZ,") else row
        for row in GOOD_ROWS
    ]
    assert edited != GOOD_ROWS

    out, _ = run_import(write_csv(tmp_path, edited, name="edited.csv"))

    assert out.strip() == (
        "league orgs: 0 created, 1 updated; volunteer orgs: 0 created, 0 updated; "
        "accounts: 0 created; 5 unchanged"
    )
    assert db_snapshot() == before
    assert LeagueOrg.objects.get(code="GZ").name == "共青团广州市委"
    after = updated_at_values()
    assert after["L:GZ"] > stamps["L:GZ"]
    assert {k: v for k, v in after.items() if k != "L:GZ"} == {
        k: v for k, v in stamps.items() if k != "L:GZ"
    }


# -- bad rows ------------------------------------------------------------------------------

LINE_AFTER_GOOD = len(GOOD_ROWS) + 2  # header + good rows, then the bad row

BAD_FILES = [
    # id, header, extra rows, line named in stderr, a fragment of its message
    ("unknown kind", HEADER, ["team,T1,某志愿团队,,深圳市,t1"], LINE_AFTER_GOOD, "team"),
    ("empty code", HEADER, ["league,,共青团某委员会,GD,,no_code"], LINE_AFTER_GOOD, "code"),
    (
        "duplicate code",
        HEADER,
        ["league,GZ,共青团广州市委员会（重复）,GD,广州市,gz_again"],
        LINE_AFTER_GOOD,
        "GZ",
    ),
    (
        "unknown city",
        HEADER,
        ["league,BJ,共青团北京市委员会,GD,北京市,bj_league"],
        LINE_AFTER_GOOD,
        "北京市",
    ),
    (
        "unknown parent_code",
        HEADER,
        ["league,ZH,共青团珠海市委员会,NOPE,珠海市,zh_league"],
        LINE_AFTER_GOOD,
        "NOPE",
    ),
    (
        "unknown endorser",
        HEADER,
        ["volunteer,V-X,某服务队,V-NOPE,深圳市,v_x"],
        LINE_AFTER_GOOD,
        "V-NOPE",
    ),
    (
        "endorsed by an endorsed org",
        HEADER,
        ["volunteer,V-EN2,二级背书服务队,V-EN,深圳市,v_en2"],
        LINE_AFTER_GOOD,
        "V-EN",
    ),
    (
        "username with a space",
        HEADER,
        ["league,ZH,共青团珠海市委员会,GD,珠海市,zh league"],
        LINE_AFTER_GOOD,
        "zh league",
    ),
    (
        "duplicate username",
        HEADER,
        ["league,ZH,共青团珠海市委员会,GD,珠海市,gz_league"],
        LINE_AFTER_GOOD,
        "gz_league",
    ),
    (
        "username of another org's account",
        HEADER,
        ["league,ZH,共青团珠海市委员会,GD,珠海市,taken"],
        LINE_AFTER_GOOD,
        "taken",
    ),
    (
        "username too long",
        HEADER,
        [f"league,ZH,共青团珠海市委员会,GD,珠海市,{'z' * 151}"],
        LINE_AFTER_GOOD,
        "username",
    ),
    ("wrong header", "kind,code,name,parent,city,username", [], 1, "kind,code,name,parent_code"),
    (
        "wrong number of columns",
        HEADER,
        ["league,ZH,共青团珠海市委员会,GD,珠海市"],
        LINE_AFTER_GOOD,
        "5",
    ),
    (
        "parent cycle",
        HEADER,
        ["league,A,共青团甲委员会,B,,a_league", "league,B,共青团乙委员会,A,,b_league"],
        LINE_AFTER_GOOD,
        "循环",
    ),
]


@pytest.mark.parametrize(
    ("header", "bad_rows", "line", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_FILES],
)
def test_a_bad_row_refuses_the_whole_file(db, tmp_path, header, bad_rows, line, fragment):
    # An account of an org outside the file, whose username a bad row may try to reuse.
    f.operator_of(f.VolunteerOrgFactory(code="OTHER"), username="taken")
    before = db_snapshot()
    path = write_csv(tmp_path, [*GOOD_ROWS, *bad_rows], header=header)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_orgs", str(path), stdout=out, stderr=err)

    messages = [m for m in err.getvalue().splitlines() if m.startswith(f"{path}:{line}: ")]
    assert messages, err.getvalue()
    assert any(fragment in m for m in messages), err.getvalue()
    assert out.getvalue() == ""
    assert db_snapshot() == before
    assert not LeagueOrg.objects.filter(code__in=GOOD_CODES).exists()
    assert not VolunteerOrg.objects.filter(code__in=GOOD_CODES).exists()
    assert not User.objects.filter(username__in=GOOD_USERNAMES).exists()


def test_a_bad_row_in_a_rerun_leaves_the_earlier_import_as_it_was(db, tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))
    before, stamps = db_snapshot(), updated_at_values()
    renamed = [r.replace("共青团广州市委员会", "共青团广州市委") for r in GOOD_ROWS]
    path = write_csv(
        tmp_path, [*renamed, "league,BJ,共青团北京市委员会,GD,北京市,bj"], name="b.csv"
    )

    with pytest.raises(CommandError):
        run_import(path)

    assert db_snapshot() == before
    assert updated_at_values() == stamps
    assert LeagueOrg.objects.get(code="GZ").name == "共青团广州市委员会"


def test_an_endorser_of_orgs_outside_the_file_cannot_become_endorsed(db, tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))  # V-EN is endorsed by V-REG
    path = write_csv(
        tmp_path,
        [
            "volunteer,V-NEW,新备案协会,,广州市,v_new",
            "volunteer,V-REG,深圳市青年志愿者协会,V-NEW,深圳市,v_registered",
        ],
        name="demote.csv",
    )
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_orgs", str(path), stdout=io.StringIO(), stderr=err)

    assert f"{path}:3: " in err.getvalue()
    assert "V-REG" in err.getvalue()
    assert VolunteerOrg.objects.get(code="V-REG").registration == Registration.REGISTERED
    assert not VolunteerOrg.objects.filter(code="V-NEW").exists()


def test_a_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run_import(tmp_path / "missing.csv")


# -- encodings -----------------------------------------------------------------------------


def test_a_utf8_file_with_bom_and_crlf_line_ends_imports(db, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS, encoding="utf-8-sig", newline="\r\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    out, err = run_import(path)

    assert err == ""
    assert "league orgs: 4 created" in out
    assert LeagueOrg.objects.get(code="SZ").city == f.city("深圳市")
    assert VolunteerOrg.objects.get(code="V-REG").name == "深圳市青年志愿者协会"
    assert User.objects.filter(username__in=GOOD_USERNAMES).count() == 6
