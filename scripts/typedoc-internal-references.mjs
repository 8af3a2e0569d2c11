// A TypeDoc plugin (loaded by typedoc.config.mjs) that closes a gap of the `notExported`
// validation: TypeDoc stays silent when the public API refers to a type it left out because
// it is marked `@internal`. Such a reference is a hole in the reference (an unlinked name
// nobody can look up), so it is reported as a validation warning, which fails the build.
import { Application, makeRecursiveVisitor } from 'typedoc';

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const warned = new Set();
    for (const owner of Object.values(project.reflections)) {
      const visitor = makeRecursiveVisitor({
        reference(type) {
          const key = `${owner.id} ${type.qualifiedName}`;
          if (type.reflection !== undefined || type.symbolId === undefined || warned.has(key)) return;
          if (!project.symbolIdHasBeenRemoved(type.symbolId)) return;
          warned.add(key);
          app.logger.validationWarning(
            `${owner.getFriendlyFullName()} refers to ${type.qualifiedName}, which is left out of the docs ` +
              '(marked @internal or private): document it and drop the tag, or keep it out of the public signature',
          );
        },
      });
      owner.type?.visit(visitor);
      if ('default' in owner) owner.default?.visit(visitor); // a type parameter's default
    }
  });
}
