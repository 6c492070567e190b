"""Prometheus metrics, one registry per app so tests and several apps in a process stay apart."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "chotdon_http_requests",
            "HTTP requests answered, by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "chotdon_http_request_seconds",
            "Time to answer an HTTP request.",
            ["route"],
            registry=self.registry,
        )
        self.transitions = Counter(
            "chotdon_order_transitions",
            "Order actions applied, by action and source.",
            ["action", "source"],
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "chotdon_outbox_backlog",
            "Outbox jobs by status (pending and running are the backlog; dead need a person).",
            ["status"],
            registry=self.registry,
        )
        self.outbox_deliveries = Counter(
            "chotdon_outbox_deliveries",
            "Outbox delivery attempts, by kind and result.",
            ["kind", "result"],
            registry=self.registry,
        )
        self.comment_sources = Gauge(
            "chotdon_live_comments_by_source",
            "Live comments stored, by the source that delivered each first (webhook, poll, "
            "instagram): a poll count that grows means the webhook misses comments.",
            ["source"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
