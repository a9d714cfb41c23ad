import { useState } from "preact/hooks";

/** The handlers of an element files are dropped on, and whether a drag is over it now. */
export interface DropZone {
  dragging: boolean;
  handlers: {
    onDragOver: (e: DragEvent) => void;
    onDragLeave: () => void;
    onDrop: (e: DragEvent) => void;
  };
}

/** Makes an element a drop target that hands the dropped files to `onFiles`. */
export function useDropZone(onFiles: (files: FileList | null) => void): DropZone {
  const [dragging, setDragging] = useState(false);
  return {
    dragging,
    handlers: {
      onDragOver: (e) => {
        // Without this the browser opens the file instead of letting it drop here.
        e.preventDefault();
        setDragging(true);
      },
      onDragLeave: () => {
        setDragging(false);
      },
      onDrop: (e) => {
        e.preventDefault();
        setDragging(false);
        onFiles(e.dataTransfer?.files ?? null);
      },
    },
  };
}
