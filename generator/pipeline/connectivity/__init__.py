"""The connectivity contract: what the NetworkPolicies must allow, and what they must not.

``policy`` evaluates Kubernetes NetworkPolicy semantics (no maintained Python
library does; the Go ones are not served here), ``contract`` derives the
required and forbidden connections from the components and the spec.
"""
