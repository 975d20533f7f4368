"""People (issue #3): who each face is, kept stable across re-clustering.

The user's decisions are hard constraints that nothing automatic overrides:

- a confirmed face (``face_people.confirmed``) stays with its person; naming a
  person confirms all of its faces, and merge, split and confirm make
  confirmed assignments;
- a rejection ("not this person") is kept forever, also as cannot-links to
  the faces the person held (``constraints``): clustering never puts the face
  back with them, whichever person they end up in, and no suggestion
  proposes it;
- a hidden person keeps its faces: clustering leaves them where they are;
- clustering, re-indexing (``Library.save_indexed_photo`` carries decisions
  over to the re-detected face) and model changes never rename, merge, drop
  or move a confirmed face or a named person;
- two faces of one photo are never put in one person by clustering or
  suggested into it; only the user's own explicit merge, split or confirm
  may do that (a mirror, a photo of a photo).

``operations`` changes people (each an undoable entry in the ``operations``
log), ``recluster`` sorts the unconfirmed faces and computes suggestions,
``constraints`` keeps rejections as links between faces, and ``queries``
reads everything a user interface shows.
"""
