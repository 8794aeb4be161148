#!/usr/bin/env python3
"""Checks YAML and JSON against JSON Schemas with python-jsonschema, for tresor's tests.

    jsonschema-check.py MODE REQUEST.json

MODE is one of:
  documents  REQUEST {"schema": PATH, "sets": [{"name", "text"}]}: loads each text with PyYAML
             (YAML 1.1, as most schema checkers do) and validates every document.
             Prints [{"name", "loadError", "documents": [{"errors": [...]}]}].
  mutations  REQUEST {"schema": PATH, "sets": [{"name", "text"}]}: for each single-document text,
             makes broken variants (a field removed, set to null, to a sequence, a mapping, bad
             text or a number; an unknown field added) and validates each.
             Prints [{"name", "text", "errors": [...]}].
  instance   REQUEST {"schema": PATH, "instance": JSON}: validates one JSON value.
             Prints {"errors": [...]}.
Exit status 3 when jsonschema or PyYAML is missing.
"""
import copy
import json
import sys

try:
    import jsonschema
    import yaml
except ImportError as error:
    print(f"{error}: run `pip install jsonschema pyyaml`", file=sys.stderr)
    sys.exit(3)


def validator(path):
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def errors(check, instance):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(instance)]


def documents(check, sets):
    results = []
    for item in sets:
        result = {"name": item["name"], "loadError": None, "documents": []}
        try:
            loaded = list(yaml.safe_load_all(item["text"]))
        except yaml.YAMLError as error:
            result["loadError"] = str(error)
        else:
            result["documents"] = [{"errors": errors(check, doc)} for doc in loaded]
        results.append(result)
    return results


MUTATIONS = {
    "null": None,
    "a sequence": ["x"],
    "a mapping": {"x": "y"},
    "bad text": "not valid!",
    "a number": 7,
}


def variants(doc):
    """(label, mutated document) for every field and sequence entry at any depth."""
    out = []

    def at(root, path):
        node = root
        for step in path:
            node = node[step]
        return node

    def walk(node, path):
        where = "." + ".".join(map(str, path)) if path else "the document"
        if isinstance(node, dict):
            mutated = copy.deepcopy(doc)
            at(mutated, path)["unknownField"] = "x"
            out.append((f"unknown field in {where}", mutated))
            for key in list(node):
                mutated = copy.deepcopy(doc)
                del at(mutated, path)[key]
                out.append((f"{where} without {key}", mutated))
                for label, value in MUTATIONS.items():
                    mutated = copy.deepcopy(doc)
                    at(mutated, path)[key] = copy.deepcopy(value)
                    out.append((f"{where}.{key} set to {label}", mutated))
                walk(node[key], path + [key])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                # tresor reads a null sequence entry as text; entries stay non-null here.
                for label, value in MUTATIONS.items():
                    if value is None:
                        continue
                    mutated = copy.deepcopy(doc)
                    at(mutated, path)[index] = copy.deepcopy(value)
                    out.append((f"{where}[{index}] set to {label}", mutated))
                walk(item, path + [index])

    walk(doc, [])
    return out


def mutations(check, sets):
    results = []
    for item in sets:
        (doc,) = list(yaml.safe_load_all(item["text"]))
        for label, mutated in variants(doc):
            results.append({
                "name": f"{item['name']}: {label}",
                "text": yaml.safe_dump(mutated, sort_keys=False, allow_unicode=True),
                "errors": errors(check, mutated),
            })
    return results


def main():
    mode, request_path = sys.argv[1], sys.argv[2]
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    check = validator(request["schema"])
    if mode == "documents":
        output = documents(check, request["sets"])
    elif mode == "mutations":
        output = mutations(check, request["sets"])
    elif mode == "instance":
        output = {"errors": errors(check, request["instance"])}
    else:
        sys.exit(f"unknown mode {mode}")
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main()
