"""Input validation shared by the API, the CLI and the plan format: Italian marshmallow messages
and the project's field types. No Flask here, so pure modules (server.planformat) can use it."""
