"""What one GraphQL document may ask for: a depth, a cost and a number of aliases, so a
client cannot make one request read the database for minutes.

The cost counts the objects a query may return: each object field costs 1, and a
connection multiplies what it selects by its page size (`first`/`last`; the largest page
when the page size is not given or is a variable). Scalars are free. A document over a
limit is refused before it runs, with a GraphQL error naming the limit
(`QUERY_TOO_DEEP`, `QUERY_TOO_COSTLY`)."""

from graphql import GraphQLError, ValidationRule
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"


def query_limits_rule(*, max_depth: int, max_cost: int, max_page_size: int) -> type[ValidationRule]:
    class QueryLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            depth = self._depth(node.selection_set, frozenset())
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"This query nests {depth} fields deep; at most {max_depth} are allowed.",
                        node,
                        extensions={"code": QUERY_TOO_DEEP, "depth": depth, "maxDepth": max_depth},
                    )
                )
                return
            cost = self._cost(node.selection_set, frozenset())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"This query may read {cost} objects; at most {max_cost} are allowed. "
                        "Ask for smaller pages (first) or fewer nested lists.",
                        node,
                        extensions={"code": QUERY_TOO_COSTLY, "cost": cost, "maxCost": max_cost},
                    )
                )

        def _cost(self, selection_set: SelectionSetNode | None, spreading: frozenset) -> int:
            if selection_set is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    if selection.selection_set is None:
                        continue  # a scalar
                    inner = self._cost(selection.selection_set, spreading)
                    total += 1 + self._page_size(selection) * inner
                elif isinstance(selection, InlineFragmentNode):
                    total += self._cost(selection.selection_set, spreading)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.context.get_fragment(name)
                    if fragment is not None and name not in spreading:
                        total += self._cost(fragment.selection_set, spreading | {name})
            return total

        def _depth(self, selection_set: SelectionSetNode | None, spreading: frozenset) -> int:
            if selection_set is None:
                return 0
            deepest = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    if is_introspection(selection.name.value):
                        continue  # tools ask for the schema itself, nested by its nature
                    deepest = max(deepest, 1 + self._depth(selection.selection_set, spreading))
                elif isinstance(selection, InlineFragmentNode):
                    deepest = max(deepest, self._depth(selection.selection_set, spreading))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.context.get_fragment(name)
                    if fragment is not None and name not in spreading:
                        deepest = max(
                            deepest, self._depth(fragment.selection_set, spreading | {name})
                        )
            return deepest

        @staticmethod
        def _page_size(field: FieldNode) -> int:
            arguments = {a.name.value: a.value for a in field.arguments or ()}
            for name in ("first", "last"):
                value = arguments.get(name)
                if isinstance(value, IntValueNode):
                    return max(0, min(int(value.value), max_page_size))
                if value is not None:
                    return max_page_size
            is_connection = any(
                isinstance(s, FieldNode) and s.name.value == "edges"
                for s in field.selection_set.selections
            )
            return max_page_size if is_connection else 1

    return QueryLimits


def is_introspection(field_name: str) -> bool:
    return field_name.startswith("__")
