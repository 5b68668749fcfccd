"""Reading pack YAML safely: bounded reads, events to data, positions, wording."""
