"""The render pipeline, one module a stage, in the order the data flows.

``load`` (specs/ → one validated ``Platform`` per environment) → ``tree`` (every
component builds its objects; the base and each environment's ``overlays``
become the files of apps/, overlays/ and argocd/) → ``budget`` (what the
scheduler will reserve, against the environment's budget) → ``connectivity``
(the NetworkPolicies against the connectivity contract) → ``write`` (all files
or none). ``python -m generator render`` runs it; the commands in
``generator.commands`` are built on it.
"""
