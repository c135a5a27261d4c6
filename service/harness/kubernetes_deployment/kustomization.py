"""The schema of the project's ``kustomization.yaml`` files: the part of kustomize's format used.

The schema refuses any field it does not know, so a misspelt key is an error that names the file
and the field before kubectl runs. The namespace, the app's name label and the image's name are
read from the base's file, their one home.
"""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from common.yaml_files import ConfigurationError, load_yaml_file

NAME_LABEL = "app.kubernetes.io/name"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class LabelSet(Strict):
    pairs: dict[str, str] = Field(description="Labels put on every object")
    include_selectors: bool = Field(
        False, alias="includeSelectors", description="Also put them into selectors and templates"
    )
    include_templates: bool = Field(
        False, alias="includeTemplates", description="Also put them into pod templates"
    )


class PatchTarget(Strict):
    kind: str | None = Field(None, description="The kind of the objects to patch")
    name: str | None = Field(None, description="The name of the object to patch")


class Patch(Strict):
    path: str | None = Field(None, description="A file holding the patch")
    patch: str | None = Field(None, description="The patch itself (JSON 6902 or strategic merge)")
    target: PatchTarget | None = Field(None, description="Which objects the patch applies to")


class GeneratorOptions(Strict):
    disable_name_suffix_hash: bool = Field(
        False, alias="disableNameSuffixHash", description="Keep the name without the content hash"
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Labels for the ConfigMap")
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Annotations for the ConfigMap"
    )


class ConfigMapGenerator(Strict):
    name: str = Field(description="The ConfigMap's name, before kustomize adds the content hash")
    files: list[str] = Field(default_factory=list, description="Files, as KEY=PATH or PATH")
    literals: list[str] = Field(default_factory=list, description="Literal KEY=VALUE entries")
    behavior: Literal["create", "replace", "merge"] | None = Field(
        None, description="How it combines with a ConfigMap of the same name from a base"
    )
    options: GeneratorOptions | None = Field(None, description="How the ConfigMap is generated")


class Image(Strict):
    name: str = Field(description="The image name the manifests use")
    new_name: str | None = Field(None, alias="newName", description="The name to use instead")
    new_tag: str | None = Field(None, alias="newTag", description="The tag to use")


class ReplacementSource(Strict):
    kind: str = Field(description="The kind of the object to copy from")
    name: str = Field(description="Its name")
    field_path: str = Field(alias="fieldPath", description="The field to copy, e.g. a.[name=x].b")


class ReplacementTarget(Strict):
    select: PatchTarget = Field(description="The objects to copy into")
    field_paths: list[str] = Field(
        min_length=1, alias="fieldPaths", description="The fields to copy into"
    )


class Replacement(Strict):
    source: ReplacementSource = Field(description="Where the value comes from")
    targets: list[ReplacementTarget] = Field(min_length=1, description="Where it goes")


class Kustomization(Strict):
    """A ``kustomization.yaml``: a Kustomization, or a Component that overlays include."""

    api_version: Literal["kustomize.config.k8s.io/v1beta1", "kustomize.config.k8s.io/v1alpha1"] = (
        Field(alias="apiVersion", description="kustomize's API version")
    )
    kind: Literal["Kustomization", "Component"] = Field(description="What the file defines")
    namespace: str | None = Field(None, description="The namespace of every object")
    labels: list[LabelSet] = Field(default_factory=list, description="Labels for every object")
    resources: list[str] = Field(default_factory=list, description="Files and folders to include")
    components: list[str] = Field(default_factory=list, description="Components to include")
    patches: list[Patch] = Field(default_factory=list, description="Patches to the objects")
    config_map_generator: list[ConfigMapGenerator] = Field(
        default_factory=list, alias="configMapGenerator", description="ConfigMaps made from files"
    )
    images: list[Image] = Field(default_factory=list, description="Image names and tags to set")
    replacements: list[Replacement] = Field(
        default_factory=list, description="Fields copied from one object into others"
    )

    def label(self, name: str) -> str | None:
        """The value the file gives the label ``name`` with ``includeSelectors``, if any."""
        for label_set in self.labels:
            if name in label_set.pairs and label_set.include_selectors:
                return label_set.pairs[name]
        return None


def load_kustomization(path: Path) -> Kustomization:
    """A ``kustomization.yaml``, validated; ConfigurationError names the file and the field."""
    return load_yaml_file(path, Kustomization, "kustomization")


def namespace_of(kustomization: Kustomization, path: Path) -> str:
    """The namespace a kustomization puts its objects in."""
    if not kustomization.namespace:
        raise ConfigurationError(f"{path} sets no namespace: add `namespace: NAME`")
    return kustomization.namespace


def image_name_of(kustomization: Kustomization, path: Path) -> str:
    """The name of the one image the kustomization lists under ``images:``."""
    if len(kustomization.images) != 1:
        raise ConfigurationError(
            f"{path} lists {len(kustomization.images)} images; it names the service's image, once"
        )
    return kustomization.images[0].name


def selector_label_of(kustomization: Kustomization, name: str, path: Path) -> str:
    """The value of the label ``name`` that the kustomization also puts into the selectors."""
    value = kustomization.label(name)
    if value is None:
        raise ConfigurationError(
            f"{path} gives no label {name} with includeSelectors: true, so nothing selects the pods"
        )
    return value
