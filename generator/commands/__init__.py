"""What the CLI offers beyond ``render``, built on the pipeline (``generator.pipeline``).

``diff`` and ``snapshot`` (what a change does per environment), ``fork``,
``validate`` (kubeconform) and ``server`` (a dry run on a real kube-apiserver),
``scan`` (checkov), ``report`` (the budget as a picture), ``crds`` (the locked
operator CRDs the checks read); ``tools`` and ``staged`` are their plumbing.
"""
