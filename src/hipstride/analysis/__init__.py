"""What the numbers mean. One run: :mod:`.run` computes a :class:`~.result.RunAnalysis`,
:mod:`.result` holds it and its JSON document (the one that is printed and stored). What runs say
together: speed-matched baselines (:mod:`.baselines`), form changes (:mod:`.formchanges`) and
weekly trends (:mod:`.trends`)."""
