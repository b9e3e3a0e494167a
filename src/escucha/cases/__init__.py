"""The closed loop in the contact center: cases opened by rules, assignment, SLAs with escalation,
recovery playbooks, agent assist, recovery outcomes, churn risk and the customer 360.

Modules: ``model`` (the case), ``store`` (cases as store documents), ``config`` and ``rules``
(``cases.yaml``), ``assign``, ``calendar`` and ``sla`` (clocks), ``escalate`` (warnings and
escalations through ``escucha.notify``), ``workflow`` (what agents do), ``playbooks``, ``history``
and ``assist``, ``recovery``, ``churn``, ``customer360``. The workspace, CLI, API and dashboard
call these with the workspace's store, settings and layout.
"""

from escucha.cases.model import ACTIVE, PRIORITIES, RESOLUTION_CODES, STATUSES, Case

__all__ = ["ACTIVE", "PRIORITIES", "RESOLUTION_CODES", "STATUSES", "Case"]
