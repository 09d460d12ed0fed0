"""The unit tree and the permission functions."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrijuit.org import permissions
from vrijuit.org.models import Level, Unit
from vrijuit.org.services import rebuild_paths


def test_a_subtree_is_the_unit_and_everything_below_it(org) -> None:  # type: ignore[no-untyped-def]
    assert set(org.psychology.subtree()) == {org.psychology, org.clinical}
    assert set(org.root.subtree()) == set(Unit.objects.all())
    assert org.clinical.ancestor_ids() == [org.root.pk, org.faculty.pk, org.psychology.pk]


def test_unit_names_follow_the_active_language(org) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    with translation.override("en"):
        assert org.psychology.name == "Psychology"
    with translation.override("nl"):
        assert org.psychology.name == "Psychologie"


def test_a_leader_sees_their_subtree_and_nothing_else(org) -> None:  # type: ignore[no-untyped-def]
    leader = org.users["leader"]
    assert set(permissions.visible_units(leader)) >= {org.psychology, org.clinical}
    assert permissions.can_view_unit_results(leader, org.clinical)
    assert not permissions.can_view_unit_results(leader, org.pedagogy)
    assert not permissions.leads(leader, org.faculty)


def test_a_staff_member_sees_their_unit_and_the_organisation(org) -> None:  # type: ignore[no-untyped-def]
    staff = org.users["staff"]
    assert set(permissions.visible_units(staff)) == {org.clinical, org.root}
    assert not permissions.can_view_unit_results(staff, org.psychology)


def test_analysts_see_all_units_and_advisers_none(org) -> None:  # type: ignore[no-untyped-def]
    assert set(permissions.visible_units(org.users["analyst"])) == set(Unit.objects.all())
    assert not permissions.visible_units(org.users["adviser"]).exists()


def test_roles_follow_the_person_and_the_grants(org) -> None:  # type: ignore[no-untyped-def]
    assert permissions.roles_of(org.users["staff"]) == ["staff"]
    assert permissions.roles_of(org.users["leader"]) == ["staff", "leader"]
    assert permissions.roles_of(org.users["analyst"]) == ["analyst"]
    assert permissions.roles_of(org.users["admin"]) == ["administrator"]


def test_a_deactivated_person_loses_their_leadership(org) -> None:  # type: ignore[no-untyped-def]
    person = org.users["leader"].person
    person.active = False
    person.save()
    leader = type(org.users["leader"]).objects.get(pk=org.users["leader"].pk)
    assert not permissions.is_leader(leader)
    assert not permissions.visible_units(leader).exists()


def test_the_home_page_shows_a_section_per_role(as_persona) -> None:  # type: ignore[no-untyped-def]
    # The accounts prefer Dutch (the default), whatever the browser asks.
    page = as_persona("leader").get("/", headers={"accept-language": "en"}).content.decode()
    assert "Eenheden die je leidt" in page
    assert "Beheer" not in page
    admin = as_persona("admin").get("/").content.decode()
    assert "Eenheden en mensen importeren uit HR" in admin


def test_pages_have_a_skip_link_and_a_labelled_language_switch(as_persona) -> None:  # type: ignore[no-untyped-def]
    page = as_persona("staff").get("/").content.decode()
    assert 'href="#main"' in page
    assert 'id="main"' in page
    assert '<label for="language-select">' in page


@settings(
    max_examples=25,
    deadline=None,
    # The db fixture is function-scoped on purpose: each example rolls back its own savepoint.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=25))
def test_path_subtrees_equal_walking_the_parent_links(db, parents: list[int]) -> None:  # type: ignore[no-untyped-def]
    """For random trees (unit i hangs under an earlier unit), also after moving units around."""
    from django.db import transaction

    with transaction.atomic():
        units = [Unit.objects.create(external_id="r", level=Level.ORGANISATION, name_nl="r")]
        for i, choice in enumerate(parents, start=1):
            units.append(
                Unit.objects.create(
                    external_id=f"u{i}", level=Level.TEAM, name_nl=f"u{i}", parent=units[choice % i]
                )
            )
        # Move every third unit under the root and rebuild, as an HR re-sync does.
        for unit in units[3::3]:
            unit.parent = units[0]
            Unit.objects.filter(pk=unit.pk).update(parent=units[0])
        rebuild_paths()
        children: dict[int | None, list[int]] = {}
        for unit in Unit.objects.all():
            children.setdefault(unit.parent_id, []).append(unit.pk)
        for unit in Unit.objects.all():
            walked, todo = set(), [unit.pk]
            while todo:
                pk = todo.pop()
                walked.add(pk)
                todo += children.get(pk, [])
            assert set(unit.subtree().values_list("pk", flat=True)) == walked
        transaction.set_rollback(True)
