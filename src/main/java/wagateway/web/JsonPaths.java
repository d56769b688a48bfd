package wagateway.web;

import com.fasterxml.jackson.databind.JsonMappingException;

/** JSON paths ({@code interactive.action.buttons[3]}) from Jackson's error locations. */
public final class JsonPaths {

    private JsonPaths() {
    }

    public static String of(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            }
        }
        return out.isEmpty() ? "body" : out.toString();
    }
}
