using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace OrleansChat.Hosting;

/// <summary>Binds an options section that is needed before the host is built and fails with a readable message.</summary>
public static class ValidatedOptions
{
    public static T Bind<T>(IConfiguration configuration, string sectionName)
        where T : class, new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(sectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(sectionName, typeof(T), [$"Configuration section '{sectionName}' has a value of the wrong type: {ex.Message}"]);
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            var failures = results.Select(r => $"{sectionName}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}").ToList();
            throw new OptionsValidationException(sectionName, typeof(T), failures);
        }

        return options;
    }
}
