"""The operators' CustomResourceDefinitions, vendored in ``crds/`` at the pinned versions.

``lock`` says where each file came from and checks it is unchanged, ``schemas``
turns the CRDs into kubeconform's JSON schemas, ``refresh`` downloads them again.
"""
