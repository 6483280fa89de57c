"""The operators' CustomResourceDefinitions, locked in ``crds/lock.yaml``, never committed.

``lock`` says where each file comes from and the sha256 it must have, ``cache``
obtains the files (a mirror or upstream) and verifies them into ``.cache/crds/``,
``schemas`` turns them into kubeconform's JSON schemas, ``refresh`` re-pins them.
"""
