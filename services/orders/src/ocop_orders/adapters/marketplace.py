"""Old home of the partner-API adapter; `ocop_orders.fakes.marketplace` still imports `sign` here.

The adapter lives in `ocop_orders.marketplace.adapters.partner_api`; this re-export goes once
the fakes import it from there.
"""

from ocop_orders.marketplace.adapters.partner_api import sign

__all__ = ["sign"]
