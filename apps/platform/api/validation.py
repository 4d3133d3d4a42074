def validated(serializer_class, data) -> dict:
    """The input checked by `serializer_class`: its validated data, or a 400 naming the fields."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
