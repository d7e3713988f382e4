"""The ids a CRM gave the objects written for each handoff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from handoff.crm import Record
from storage.models import CrmRecordRow


class CrmRecords:
    def __init__(self, session: Session) -> None:
        self._session = session

    def known(self, handoff_id: int, crm: str) -> dict[Record, str]:
        rows = self._session.execute(
            select(CrmRecordRow.object_type, CrmRecordRow.external_id).where(
                CrmRecordRow.handoff_id == handoff_id, CrmRecordRow.crm == crm
            )
        )
        return {Record(kind): external for kind, external in rows}

    def remember(
        self,
        team_id: str,
        handoff_id: int,
        crm: str,
        record: Record,
        external_id: str,
        *,
        now: datetime,
    ) -> None:
        """Keep the id (the first one kept wins: a second never replaces it)."""
        postgres = self._session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        self._session.execute(
            insert(CrmRecordRow)
            .values(
                team_id=team_id,
                handoff_id=handoff_id,
                crm=crm,
                object_type=record.value,
                external_id=external_id[:64],
                created_at=now,
            )
            .on_conflict_do_nothing()
        )
