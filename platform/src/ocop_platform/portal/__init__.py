"""Cổng điều hành: the landing page linking every console and showing the system's health.

`config` (where the services are), `health` (collecting their readiness and messaging status
concurrently, a service that does not answer is *down*, never an error), `app` (the pages).
"""
