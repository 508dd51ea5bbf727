"""`python -m ocop_platform.stand_ins.postmart`: the fake Postmart partner API on port
ORDERS_FAKE_POSTMART_PORT (default 8301), for local runs (``ocop run``)."""

from __future__ import annotations

from ocop_platform.stand_ins.marketplace import main

if __name__ == "__main__":
    main("postmart")
