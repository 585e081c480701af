"""Call statistics: labelled events in, caller-view contacts and KKiK reports out.

Data flow (one call)::

    packages --emit(event)--> StatsSink --journal (local disk)--> writer --> store
                                 |                                           ^
                                 +--ARI user event--> AMI UserEvent ---------+ (listener)
    Asterisk --CEL--> AMI "CEL" (live) -------------------------------------+ (listener)
             --CEL--> /var/log/asterisk/cel-custom/vaxel.jsonl ---> backfill / verify

- Every write is an idempotent upsert keyed on the event's identity (``events.py``), so the
  same event arriving by several paths, or replayed, is stored once.
- The journal is the spool: while the database is unreachable items stay on disk and are
  replayed in order when it returns, also by the next process after a kill.
- Asterisk 22 records ARI user events as AMI ``UserEvent`` only, not as CEL
  ``USER_DEFINED`` (measured on 22.10.1), so CEL is the durable record of *calls*
  (contacts, their number dialled and end) and the journal the durable record of *labels*.
- Contacts found only in CEL (the controller's label was lost) get their header from the
  site file: the number's name and kind, and the opening state decided for their start.

Privacy (site file ``[privacy]``):

- ``raw_number_days`` (default 30): a nightly APScheduler job (02:30) replaces callers'
  numbers older than this with a keyed HMAC-SHA256 pseudonym (``hash_key_file``; if unset
  a key is generated once beside the journal) in contacts, their labels and the entry
  service's call record, and logs how many (``stats_pseudonymised``).
- ``call_log_retention_days``: the setting a retention decision (gallringsbeslut) for call
  logs maps onto. Unset keeps the log; otherwise the same job deletes contacts and labels
  older than this (``stats_retention_deleted``). Daily aggregates are kept.
- Analysts see callers only as pseudonyms (the call log API and pages never return a raw
  number). Asterisk's own CEL file holds raw numbers: rotate it with the same period.

Deployment: the listener runs inside ``vaxel run`` unless ``VAXEL_STATS_LISTENER=external``,
then as ``vaxel stats listen --config``. ``VAXEL_CEL_FILE`` and ``VAXEL_STATS_DIR`` override
where the CEL file and the journal are (see ``paths.py``).
"""
