"""The public co-creation portal: customers propose ideas and vote; near-duplicates are offered
while typing; staff moderate, merge duplicates, link ideas to the ideas board and improvement-plan
items and move them through under review → planned → shipped (or declined, with a reason); when
an idea ships, its proposers and supporters are credited on the page and e-mailed.

``idea_status(idea_key, store)`` tells the ideas board the portal status of one of its ideas.
"""

from __future__ import annotations

from escucha.portal.context import PortalContext
from escucha.portal.ideas import STATUSES
from escucha.portal.service import Portal, idea_status

__all__ = ["STATUSES", "Portal", "PortalContext", "idea_status"]
