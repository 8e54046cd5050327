"""The open loyalty currency: partners credit points, fans claim codes, the programme grants."""
