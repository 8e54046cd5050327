"""The campaign language: loading, validating and evaluating campaigns.yaml."""
