"""dxcli: a command-line clinical reference and calculator for musculoskeletal and
rehabilitation medicine.

dxcli is a reference for trained clinicians and learners, not a diagnosis.
"""

__version__ = "0.4.1"
