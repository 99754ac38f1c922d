package videollama.weights.pth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object of a class the reader does not interpret, such as {@code argparse.Namespace} in a checkpoint's
 * {@code "config"} or an optimizer's own classes: what the pickle says about it is kept (the callable, its
 * arguments, the state given to {@code BUILD}, items appended or set on it), nothing is run. So unknown parts
 * of a checkpoint never stop the tensors from being read.
 *
 * <p>Identity, not content, makes two objects equal, as for Python objects without {@code __eq__}.
 */
public final class PyObject {
    private final Object callable;
    private final List<Object> arguments;
    private Object state;
    private final List<Object> listItems = new ArrayList<>();
    private final Map<Object, Object> dictItems = new LinkedHashMap<>();

    PyObject(Object callable, List<Object> arguments) {
        this.callable = callable;
        this.arguments = Collections.unmodifiableList(new ArrayList<>(arguments));
    }

    /** The class or function that would have made the object: usually a {@link PyGlobal}. */
    public Object callable() {
        return callable;
    }

    /** The class name if the callable is a global, else {@code "?"}. */
    public String className() {
        return callable instanceof PyGlobal g ? g.qualifiedName() : "?";
    }

    /** The arguments it was made with (Python's None is null). */
    public List<Object> arguments() {
        return arguments;
    }

    /** The state passed to {@code BUILD} (often a dict of attributes), or null. */
    public Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    /** Items appended to it (a list subclass), in order. */
    public List<Object> listItems() {
        return Collections.unmodifiableList(listItems);
    }

    /** Items set on it (a dict subclass), in order. */
    public Map<Object, Object> dictItems() {
        return Collections.unmodifiableMap(dictItems);
    }

    void append(Object item) {
        listItems.add(item);
    }

    void put(Object key, Object value) {
        dictItems.put(key, value);
    }

    @Override
    public String toString() {
        return "object of " + className();
    }
}
