"""Turn a validated ``PlatformSpec`` into Kubernetes and ArgoCD objects."""
