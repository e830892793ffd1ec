"""Plans never seen: the parser is scored field by field against keys written by people who read the plans
(tests/fixtures/*/items_key.csv, with each set's own scorer), not against the program's own output.

- test-plans: three plans in the samples' conventions, other wordings (an independent annotator's key);
- blind: eight plans in layouts of their own, written from the export contract alone by someone who never read
  the parser; the parser was changed after its first score (30.3 %), so it no longer measures the unseen;
- blind-2: six more such plans, held out while the parser was changed for the first two sets: its first score
  (79.3 %) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-3: six more, held out while the parser was changed for the sets above: its first score (90.9 %, one
  wrong number) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-4: seven more, held out while the parser was changed for the sets above: its first score (92.5 %, four
  wrong numbers) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-5: seven more, held out while the parser was changed for the sets above: its first score (82.4 %, seven
  wrong numbers) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-6: seven more, held out while the parser was changed for the sets above: its first score (84.5 %, two
  wrong numbers: amounts made of two cells' digits) is the honest figure for plans never seen; the parser was then
  changed for it too;
- blind-7: seven more, held out while the parser was changed for the sets above: its first score (84.3 %, 1112 of
  1319 fields, four wrong numbers; 85.9 % with one wrong number after a fix for amounts made of two cells' digits,
  made without reading it) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-8: seven more, held out while the parser was changed for the sets above: its first score (78.5 %, 1028 of
  1309 fields, no wrong number) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-9: seven more, held out while the parser was changed for the sets above: its first score (77.0 %, 949 of
  1232 fields, one plan rejected whole so that 11 rows were lost, two wrong numbers) is the honest figure for plans
  never seen; the parser was then changed for it too;
- blind-10: seven more, held out while the parser was changed for the sets above: its first run aborted the whole
  build (a fault of the reader on one header cell, '12¹'; fixed generally: digits are tested with isdecimal and a
  reader's fault on one document is that file's problem, never the build's); its first score (61.7 %, 755 of 1223
  fields; a plan's year read wrong so that its 11 rows were lost; six wrong numbers) is the honest figure for
  plans never seen; the parser was then changed for it too (transposed tables read since: 98.3 %, 1200 of 1221
  fields, no wrong number);
- blind-11: seven more, held out while the parser was changed for the sets above: its first score (82.6 %, 921
  of 1115 fields, no plan or row lost, three wrong numbers: capacities on rows that are measures or plans, not
  services) is the honest figure for plans never seen; the parser was then changed for it too;
- blind-12: seven more, held out while the parser was changed for the sets above: its first score (93.0 %, 1154 of
  1241 fields, no plan or row lost, four wrong numbers: three capacities on rows that are studies or measures, the
  units of a service in two places) is the honest figure for plans never seen; scored again once, still unseen,
  after the changes for blind-10 and blind-11: 93.3 % (1158 of 1241), two wrong numbers; the parser was then
  changed for it too (99.9 %, 1240 of 1241 fields, no wrong number);
- blind-13: seven more, held out while the parser was changed for the sets above: its first score (91.7 %, 1024 of
  1117 fields, no plan or row lost, one wrong number: the units of a club in two places) is the honest figure for
  plans never seen; the parser was then changed for it too (99.8 %, 1115 of 1117 fields, no wrong number);
- blind-14: seven more, held out while the parser was changed for the sets above: its first score (82.0 %, 970 of
  1183 fields, no plan or row lost, ten wrong numbers: capacities given per settlement beside their total counted
  twice, a service written as its existing and its planned line read from the existing one, units of a service
  in several places) is the honest figure for plans never seen; the parser was then changed for it too (99.7 %,
  1179 of 1183 fields, no wrong number);
- blind-15: seven more, held out while the parser was changed for the sets above: its first score (88.7 %, 1016 of
  1146 fields, no plan or row lost, no wrong number) is the honest figure for plans never seen; the parser was then
  changed for it too (final score 99.6 %, 1141 of 1146 fields, no wrong number);
- blind-16: seven more, held out: nobody changing the parser reads it. Its first score (86.7 %, 971 of 1120
  fields, no plan or row lost, six wrong numbers, all in one plan that lists several services with their
  capacities in one cell) is the honest figure for plans never seen; its floors only guard against a fall, so
  that it keeps measuring plans never seen.

Every set also counts wrong numbers: a number exported that the key says is another number. The product's rule
is that a number is right or empty with a review flag, never another number."""

from __future__ import annotations

import re

import pytest

from .helpers import REPO, score_against_key

FIXTURES = REPO / "tests" / "fixtures"
NUMBERS = ("amount_bgn", "capacity", "capacity_before", "staff", "units")
WRONG = re.compile(r"^WRONG (\S+) line (\d+) .* (\w+): expected '(.*)' got '(.*)'$")
# (set, least field accuracy, most wrong numbers)
SETS = [("test-plans", 0.98, 0), ("blind", 0.95, 0), ("blind-2", 0.95, 0), ("blind-3", 0.97, 0),
        ("blind-4", 0.98, 0), ("blind-5", 0.99, 0), ("blind-6", 0.98, 0), ("blind-7", 0.98, 0),
        ("blind-8", 0.99, 0), ("blind-9", 0.99, 0), ("blind-10", 0.98, 0), ("blind-11", 0.98, 0),
        ("blind-12", 0.99, 0), ("blind-13", 0.99, 0),
        ("blind-14", 0.99, 0), ("blind-15", 0.99, 0)]
# (set, its first score as the least field accuracy, its first count of wrong numbers as the most)
HELD_OUT = [("blind-16", 0.86, 6)]


def wrong_numbers(printed: str) -> list[str]:
    found = []
    for line in printed.splitlines():
        m = WRONG.match(line)
        if m and m.group(3) in NUMBERS and m.group(5) != "":
            found.append(line)
    return found


@pytest.mark.parametrize(("name", "least", "most_wrong"), SETS, ids=[s[0] for s in SETS])
def test_plans_never_seen_are_read_field_by_field(tmp_path, name, least, most_wrong):
    key = FIXTURES / name
    accuracy, plans_ok, unmatched, printed = score_against_key(key / "plans", key, tmp_path)
    print(f"\n{name}: {printed.strip().splitlines()[-1]}")
    assert plans_ok, printed
    assert accuracy >= least, printed
    assert len(wrong_numbers(printed)) <= most_wrong, "\n".join(wrong_numbers(printed))
    assert unmatched == 0, printed  # no table row lost


@pytest.mark.parametrize(("name", "least", "most_wrong"), HELD_OUT, ids=[s[0] for s in HELD_OUT])
def test_the_held_out_set_loses_no_plan_and_no_number(tmp_path, name, least, most_wrong):
    key = FIXTURES / name
    if not (key / "items_key.csv").is_file():
        pytest.skip(f"no held-out set {name} in this checkout")
    accuracy, plans_ok, unmatched, printed = score_against_key(key / "plans", key, tmp_path)
    print(f"\n{name} (held out): {printed.strip().splitlines()[-1]}")
    assert plans_ok, printed
    assert unmatched == 0, printed
    assert accuracy >= least, printed  # its first score: a floor against a fall
    # no more wrong numbers than its first score had (the set stays unread by whoever changes the parser)
    assert len(wrong_numbers(printed)) <= most_wrong, "\n".join(wrong_numbers(printed))
