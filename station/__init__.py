"""计票站 — the counting station: election model, rules, store, service and command line."""
