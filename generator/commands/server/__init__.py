"""Checking the rendered output against a real Kubernetes API server (``validate --server``).

``control_plane`` runs etcd and kube-apiserver on loopback for as long as its
owner lives; ``gate`` installs the locked CRDs and the namespaces there and
applies everything ArgoCD would, server-side, as a dry run.
"""
