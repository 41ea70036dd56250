"""Webhooks of volunteer orgs: their endpoints, the deliveries of domain events to them."""
