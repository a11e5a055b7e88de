"""Use cases of brand committees: membership, listing applications, reviews, votes and
decisions, re-reviews, the daily scan, material edits and offline decisions.

Every change of a listing bumps its `version` (optimistic lock, see the model): two votes
landing at once, or the chair deciding while a vote lands, give one outcome; the loser gets
409 `concurrent_update` and may retry. Every transition and vote writes a `listing_event`
row and, for transitions, an outbox event in the same transaction (`transitions.py`).

A review is either the application itself (draft → submitted → in_review → decided) or a
re-review of an approved listing (its renewal, or material edits of its product), which runs
beside the listing's status so that the product stays listed meanwhile. Each review is a
round of votes (`review_round`); start, vote and decide work the same on both.

Modules: `access` (who may see or act on a listing, and the problems), `transitions` (the
state machines, audit rows and events), `members` (the committee), `applications` (the
enterprise's side), `reviews` (the committee's side), `reading` (lists, votes, audit, queue,
statistics), `scans` (the daily scan, certification lapses), `material_edits` (product edits
a committee must see), `offline` (admins record offline decisions), `documents` (uploads).
"""
