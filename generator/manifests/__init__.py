"""Kubernetes and ArgoCD objects.

Building them (``objects``, ``argocd``) and reading what the scheduler will reserve
for them (``reservations``).
"""
