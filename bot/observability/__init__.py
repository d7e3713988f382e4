"""What an operator watches: metrics, structured logs (docs/operations.md)."""
