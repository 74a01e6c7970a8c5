"""`make study`'s builds in Dagster's asset history, so the UI's asset pages show the loop's work.

A refresh that built something is reported, as runless asset events in the instance of
DAGSTER_HOME (the one `make run` and `make ui` use): the event tables it loaded (raw/events,
raw/studies, ...), every dbt model it built and every data test it ran (converted by dagster-dbt
from dbt's result events with the translator of the Dagster assets: a run's keys and check
names), and the published copy (serving/warehouse) when it published. Each event's metadata says
``source: make study``.

The raw tables go first and the models right after: the models' eager automation conditions
then find their inputs no newer than themselves. Reporting never fails a refresh (the build is
done and published by then): a problem is one line of the loop's output.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.config import Settings, env_value
from publishing.build_state import read_manifest
from publishing.publish import Publication

if TYPE_CHECKING:  # dagster is imported on first use: the loop's first results come sooner
    import dagster as dg

    AssetEvent = dg.AssetMaterialization | dg.AssetCheckEvaluation | dg.AssetObservation

SOURCE = "make study"


@dataclass
class RefreshRecord:
    """What one refresh loaded, built, tested and published; Dagster's events made on report."""

    manifest_path: Path | None = None
    dbt_results: list[dict[str, Any]] = field(default_factory=list)  # Invocation.result_events
    reused_views: list[str] = field(default_factory=list)  # kept as they are (build_state)
    loaded: Mapping[str, int] = field(default_factory=dict)  # rows per raw event table
    settings: Settings | None = None  # the files they came from
    publication: Publication | None = None
    previous_build: dict | None = None  # what readers saw before the publication

    def events(self) -> list[AssetEvent]:
        events = [*self._loaded_tables(), *self._dbt_nodes()]
        if self.publication is not None:
            events.append(self._published())
        return events

    def _loaded_tables(self) -> list[AssetEvent]:
        import dagster as dg

        from orchestration.event_config_assets import loaded_table_metadata

        assert self.settings is not None
        return [
            dg.AssetMaterialization(asset_key=["raw", table], metadata={**meta, "source": SOURCE})
            for table, meta in loaded_table_metadata(self.loaded, self.settings).items()
        ]

    def _dbt_nodes(self) -> list[AssetEvent]:
        import dagster as dg
        from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

        from orchestration.dbt_assets import translator

        assert self.manifest_path is not None
        manifest = read_manifest(self.manifest_path)
        events: list[AssetEvent] = []
        for raw_event in self.dbt_results:
            message = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
            events += map(_from_make_study, message.to_default_asset_events(manifest, translator))
        events += self._reused_views(manifest)
        # each model after the models it reads (a reused view reads rebuilt tables): the eager
        # automation conditions then find no model older than its inputs
        order = _dependency_order(self.manifest_path, self.manifest_path.stat().st_mtime)
        return sorted(
            events,  # an asset's checks after its materialization
            key=lambda e: (
                order.get(e.asset_key, len(order)),
                isinstance(e, dg.AssetCheckEvaluation),
            ),
        )

    def _reused_views(self, manifest: dict[str, Any]) -> list[AssetEvent]:
        import dagster as dg

        from orchestration.dbt_assets import translator

        nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
        metadata = {"rebuilt": False, "why": "a view: its SQL over the rebuilt tables"}
        return [
            dg.AssetMaterialization(
                asset_key=translator.get_asset_key(nodes[name]),
                metadata={**metadata, "source": SOURCE},
            )
            for name in self.reused_views
        ]

    def _published(self) -> AssetEvent:
        import dagster as dg

        from orchestration.publish_assets import SERVING_KEY, publication_metadata

        assert self.publication is not None
        metadata = publication_metadata(self.publication, self.previous_build)
        return dg.AssetMaterialization(
            asset_key=SERVING_KEY, metadata={**metadata, "source": SOURCE}
        )


@lru_cache(maxsize=1)
def _dependency_order(path: Path, modified: float) -> dict[dg.AssetKey, int]:
    """Asset key of every model and seed -> its place in an order that puts each after the
    nodes it reads."""
    from orchestration.dbt_assets import translator

    manifest = read_manifest(path)
    nodes = manifest["nodes"]
    graph = {
        uid: [p for p in manifest["parent_map"].get(uid, []) if p in nodes]
        for uid, node in nodes.items()
        if node["resource_type"] in {"model", "seed", "snapshot"}
    }
    ordered = [uid for uid in TopologicalSorter(graph).static_order() if uid in graph]
    return {translator.get_asset_key(nodes[uid]): i for i, uid in enumerate(ordered)}


def _from_make_study(event: AssetEvent) -> AssetEvent:
    import dagster as dg

    metadata = {**event.metadata, "source": dg.MetadataValue.text(SOURCE)}
    if isinstance(event, dg.AssetCheckEvaluation):
        return dg.AssetCheckEvaluation(
            asset_key=event.asset_key,
            check_name=event.check_name,
            passed=event.passed,
            metadata=metadata,
            severity=event.severity,
            description=event.description,
        )
    return event.with_metadata(metadata)


def report(record: RefreshRecord) -> str | None:
    """Record a refresh that ran dbt in the instance of DAGSTER_HOME: the line saying what was
    recorded (or why nothing was); None when dbt built nothing."""
    if not record.dbt_results:
        return None
    if not env_value("DAGSTER_HOME"):
        return "Dagster not told: DAGSTER_HOME is not set (`make study` sets it)"
    import dagster as dg

    started = time.monotonic()
    try:
        events = record.events()
        with dg.DagsterInstance.get() as instance:
            for event in events:
                instance.report_runless_asset_event(event)
    except Exception as exc:  # noqa: BLE001 - the build is done; say why Dagster missed it
        reason = (str(exc).strip().splitlines() or [""])[0]  # Dagster's run on for lines
        return f"Dagster not told ({type(exc).__name__}: {reason})"
    materialized = sum(isinstance(e, dg.AssetMaterialization) for e in events)
    checks = sum(isinstance(e, dg.AssetCheckEvaluation) for e in events)
    return (
        f"Dagster: {materialized} materializations and {checks} check results recorded "
        f"({time.monotonic() - started:.1f} s)"
    )
