"""The public API's principals: agency API tokens (created, listed and revoked by an agency's
admin; authenticated on every ``/api/v1`` call) and the idempotency keys of creates."""
