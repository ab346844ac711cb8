"""Closed-loop simulation of the collection service and the what-if study over policies.

Pure and seeded. The simulator keeps the ground truth (every bin's content, litres deposited,
collected and overflowed); the platform sees only what sensors and drivers report; a policy
(:mod:`simulations.loop.policies`) turns that into the day's routes with the project's planning
code; trucks drive them on the road network with traffic noise. Module by module:

* :mod:`~simulations.loop.config` settings; :mod:`~simulations.loop.clock` sim hours vs local time;
* :mod:`~simulations.loop.scenario` the city the loop runs on (inventory, fleet, travel matrix);
* :mod:`~simulations.loop.demand` and :mod:`~simulations.loop.traffic`: random draws from the seed
  alone (common random numbers); :mod:`~simulations.loop.truth` the ground truth ledger;
* :mod:`~simulations.loop.sensors` readings with noise, dropouts, stuck sensors, late messages;
  :mod:`~simulations.loop.knowledge` what the platform knows; :mod:`~simulations.loop.risk`
  overflow probabilities from forecasts;
* :mod:`~simulations.loop.planner` selection -> routes (PyVRP, seeded, iteration budget);
  :mod:`~simulations.loop.execution` trucks driving a plan; :mod:`~simulations.loop.gps` their
  GPS fixes along the roads they drove; :mod:`~simulations.loop.stop_reports` the drivers'
  reports (some missing or wrong); :mod:`~simulations.loop.proof` proof of service with the live
  code (:mod:`~simulations.loop.planned_routes` the plan as the live system stores it);
* :mod:`~simulations.loop.events` the discrete-event simulator; :mod:`~simulations.loop.engine`
  one run; :mod:`~simulations.loop.results` its rows (:mod:`~simulations.loop.fill_rows` the
  fill-at-emptying histogram, :mod:`~simulations.loop.bin_rows` per-bin overflow and places,
  :mod:`~simulations.loop.adherence_rows` proof of service per day,
  :mod:`~simulations.loop.tidy` their CSV text, :mod:`~simulations.loop.outputs` the study's
  files); :mod:`~simulations.loop.kpis` the measures and the headline comparison;
  :mod:`~simulations.loop.study` the sweep of policies, settings and seeds;
  :mod:`~simulations.loop.report` the HTML page (figures, tables, the overflow floor and proof of
  service in ``report_*``).

The CLI is :mod:`simulations.whatif`.
"""
