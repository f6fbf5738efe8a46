"""Every write to the register: registration (register.py), steps and the end (steps.py), links to cases (linking.py)."""

from jingzhi.disputes.services.linking import dispute_flag_case, dispute_link_case
from jingzhi.disputes.services.register import PartyInput, dispute_from_case, dispute_register
from jingzhi.disputes.services.steps import (
    dispute_end,
    dispute_set_risk,
    dispute_step_add,
    visit_record,
    visit_schedule,
)

__all__ = [
    "PartyInput", "dispute_end", "dispute_flag_case", "dispute_from_case", "dispute_link_case", "dispute_register",
    "dispute_set_risk", "dispute_step_add", "visit_record", "visit_schedule",
]
