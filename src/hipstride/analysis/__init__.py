"""What the numbers mean: one run (:mod:`.run`), the stored analysis document (:mod:`.document`),
and what runs say together: speed-matched baselines (:mod:`.baselines`), form changes
(:mod:`.formchanges`) and weekly trends (:mod:`.trends`)."""
