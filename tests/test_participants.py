

def test_a_guessed_organisation_type_is_one_the_registry_accepts():
    allowed = set(typing.get_args(Organisation.model_fields["type"].annotation))
    assert {kind for kind, _ in participants._TYPES} <= allowed
