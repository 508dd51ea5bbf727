"""`python -m ocop_platform.stand_ins.voso`: the fake Voso partner API on port
ORDERS_FAKE_VOSO_PORT (default 8302), for local runs (``ocop run``)."""

from __future__ import annotations

from ocop_platform.stand_ins.marketplace import main

if __name__ == "__main__":
    main("voso")
