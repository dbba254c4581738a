"""The glue: conversation turns, feedback records, handoffs. Only services write to stores."""
