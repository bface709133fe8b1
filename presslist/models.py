"""The press list: accredited journalists, what was sent to each of them, and their personal embargo links."""
