import pytest

# Plain asserts in the shared mixin report their values like those in test modules.
pytest.register_assert_rewrite("tests.api.mixins")
